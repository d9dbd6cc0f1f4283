"""Strings of the manager pages."""

STRINGS: dict[str, tuple[str, str]] = {}
