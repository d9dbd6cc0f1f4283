"""The string catalogue: ``key -> (German, English)``, one section per area of the app."""

from services.catalogue import (
    admin,
    admissions,
    common,
    discharge,
    divi,
    manager,
    nurse,
    physician,
    quality,
    staffing,
    transfers,
)

CATALOGUE: dict[str, tuple[str, str]] = {}
for _section in (
    common,
    physician,
    nurse,
    manager,
    admin,
    quality,
    staffing,
    transfers,
    admissions,
    discharge,
    divi,
):
    _clash = CATALOGUE.keys() & _section.STRINGS.keys()
    if _clash:
        raise KeyError(f"catalogue keys defined twice: {sorted(_clash)}")
    CATALOGUE.update(_section.STRINGS)

__all__ = ["CATALOGUE"]
