"""Strings of the nurse pages."""

STRINGS: dict[str, tuple[str, str]] = {}
