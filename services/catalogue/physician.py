"""Strings of the physician pages."""

STRINGS: dict[str, tuple[str, str]] = {}
