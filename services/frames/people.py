"""Extractors for who: Patient, Practitioner, PractitionerRole, Organization."""

from __future__ import annotations

from services.codes import FACHABTEILUNG, IKNR, KVNR, OBSERVATION_VALUE, PSEUDONYM, ROLE, SHIFT
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.contacts import fill_hospitals
from services.frames.fields import code_of, codings, identifier, obj, text, when

__all__ = ["ORGANIZATION", "PATIENT", "PRACTITIONER", "PRACTITIONER_ROLE"]


def _human_name(resource: dict, out: Collector) -> tuple[str | None, str | None]:
    name = obj(get(resource, "name", 0), out, "name")
    if name is None:
        return None, None
    given = name.get("given")
    given_text = (
        " ".join(g for g in given if isinstance(g, str)) if isinstance(given, list) else None
    )
    return text(name.get("family"), out, "family"), given_text or None


def _is_pseudonym(ident: dict) -> bool:
    if ident.get("system") == PSEUDONYM:
        return True
    # Misshapen codings were already counted when the MR identifier was looked for.
    type_codings = get(ident, "type", "coding")
    return isinstance(type_codings, list) and any(
        isinstance(c, dict) and c.get("system") == OBSERVATION_VALUE and c.get("code") == "PSEUDED"
        for c in type_codings
    )


def _patient(res: dict, out: Collector) -> None:
    family, given = _human_name(res, out)
    idents = items(res.get("identifier"), out, "identifier")
    kvnr = next((i.get("value") for i in idents if i.get("system") == KVNR), None)
    mr_system, mrn = identifier(idents, "MR", out)
    # Research exports replace name and KVNR by a pseudonym: the one handle a person still has.
    pseudonym = next((i.get("value") for i in idents if _is_pseudonym(i)), None)
    out.add(
        "patient",
        res["id"],
        ref_id(res.get("managingOrganization"), "Organization"),
        text(kvnr, out, "kvnr"),
        text(mrn, out, "mrn"),
        text(mr_system, out, "mrn_system"),
        text(pseudonym, out, "pseudonym"),
        family,
        given,
        text(res.get("gender"), out, "gender"),
        when(res.get("birthDate"), out, "birth_date"),
        text(get(res, "address", 0, "city"), out, "city"),
        when(get(res, "meta", "lastUpdated"), out, "last_updated"),
    )


PATIENT = Kind(
    "Patient",
    _patient,
    {
        "patient": Table(
            (
                "id",
                "hospital_id",
                "kvnr",
                "mrn",
                "mrn_system",
                "pseudonym",
                "family",
                "given",
                "gender",
                "birth_date",
                "city",
                "last_updated",
            ),
            times=("last_updated",),
            dates=("birth_date",),
        )
    },
    # Research exports carry no managingOrganization: such a Patient takes the one hospital the
    # source's other Patients name, else the source's name, as stays do (fill_hospitals); with no
    # hospital at all nobody could open the record without break-glass.
    finish=lambda tables: {**tables, "patient": fill_hospitals(tables["patient"])},
)


def _practitioner(res: dict, out: Collector) -> None:
    family, given = _human_name(res, out)
    out.add("practitioner", res["id"], family, given)


PRACTITIONER = Kind(
    "Practitioner", _practitioner, {"practitioner": Table(("id", "family", "given"))}
)


def _practitioner_role(res: dict, out: Collector) -> None:
    role = shift = None
    for coding in codings(res.get("code"), out):
        system = coding.get("system")
        if system == ROLE:
            role = text(coding.get("code"), out, "code")
        elif system == SHIFT:
            shift = text(coding.get("code"), out, "code")
    department = code_of(res.get("specialty"), out, FACHABTEILUNG)
    base = (
        res["id"],
        ref_id(res.get("practitioner"), "Practitioner"),
        ref_id(res.get("organization"), "Organization"),
        role,
        shift,
        department,
    )
    locations = [ref_id(loc, "Location") for loc in items(res.get("location"), out, "location")]
    # One row per ward the role covers keeps the table tidy; a role without wards keeps one row.
    for location in locations or [None]:
        out.add("practitioner_role", *base, location)


PRACTITIONER_ROLE = Kind(
    "PractitionerRole",
    _practitioner_role,
    {
        "practitioner_role": Table(
            ("id", "practitioner_id", "hospital_id", "role", "shift", "department", "ward_id")
        )
    },
)


def _organization(res: dict, out: Collector) -> None:
    idents = items(res.get("identifier"), out, "identifier")
    iknr = next((i.get("value") for i in idents if i.get("system") == IKNR), None)
    out.add(
        "organization",
        res["id"],
        text(res.get("name"), out, "name"),
        text(get(res, "alias", 0), out, "alias"),
        text(iknr, out, "iknr"),
        text(get(res, "address", 0, "city"), out, "city"),
    )


ORGANIZATION = Kind(
    "Organization",
    _organization,
    {"organization": Table(("id", "name", "alias", "iknr", "city"))},
)
