"""The string catalogue: ``key -> (German, English)``, one section per area of the app."""

from services.catalogue import admin, common, manager, nurse, physician

CATALOGUE: dict[str, tuple[str, str]] = {}
for _section in (common, physician, nurse, manager, admin):
    _clash = CATALOGUE.keys() & _section.STRINGS.keys()
    if _clash:
        raise KeyError(f"catalogue keys defined twice: {sorted(_clash)}")
    CATALOGUE.update(_section.STRINGS)

__all__ = ["CATALOGUE"]
