"""Broad consent (MII Modul Consent) of a person: given, partly given, refused or withdrawn.

A source keeps every version of a person's consent documents. The one that speaks now is the
latest (by ``Consent.dateTime``, then by last change) that is in force (``active``) or was
ended (``inactive``) and that is a broad consent document itself, not only an additional module.
Its policy says which document was signed and whether it is a refusal or a withdrawal; its
nested provisions say what was permitted. ``rejected`` (sources use it for superseded versions),
``draft``, ``proposed`` and ``entered-in-error`` say nothing about the person's current will.
"""

from __future__ import annotations

import pandas as pd

from services.domain.timeline import hospital_of

__all__ = ["CONSENT_STATES", "broad_consent", "policy_document"]

CONSENT_STATES = ("given", "partial", "denied", "withdrawn", "inactive")
# The version and modules OIDs of the MII consent documents, by their last arc under
# 1.3.1937.777.24.2: exports differ in the arcs before (one writes 2.16.840.1.143883 where the
# code system has 2.16.840.1.113883), never in these.
_OID_ROOT = "1937.777.24.2."
_DOCUMENTS: dict[str, tuple[str, str | None]] = {
    "1790": ("consent", "1.6d"),
    "1791": ("consent", "1.6f"),
    "2079": ("consent", "1.7.2"),
    "3542": ("consent", "1.7.2"),
    "3543": ("consent", "1.7.2"),
    "3544": ("consent", "1.7.2"),
    "4053": ("refusal", "1.6d"),
    "4054": ("refusal", "1.7.2"),
    "2718": ("withdrawal", "1.6d"),
    "2719": ("withdrawal", "1.6d"),
    "2720": ("withdrawal", "1.6f"),
    "2721": ("withdrawal", "1.6f"),
    "2722": ("withdrawal", "1.7.2"),
    "2723": ("withdrawal", "1.7.2"),
    "4031": ("module", None),
    "4036": ("module", None),
    "4037": ("module", None),
    "4048": ("module", None),
    "4052": ("module", None),
}
_IN_WORDS = ("active", "inactive")
_COLUMNS = ["source", "hospital_id", "consent_id", "state", "date", "version", "policy"]


def policy_document(uri: str) -> tuple[str, str | None] | None:
    """``(kind, version)`` of an MII consent document policy URI; None for any other URI.

    Kinds: ``consent``, ``refusal``, ``withdrawal``, ``module`` (an additional module, no version).
    """
    head, _, arc = uri.rpartition(".")
    if not head.endswith(_OID_ROOT.rstrip(".")):
        return None
    return _DOCUMENTS.get(arc)


def _main_document(policies: object) -> tuple[str, str | None, str] | None:
    """``(kind, version, uri)`` of the first broad consent document among the policy URIs."""
    if not isinstance(policies, str):
        return None
    for uri in policies.split():
        found = policy_document(uri)
        if found is not None and found[0] != "module":
            return (*found, uri)
    return None


def _state(status: str, kind: str, provisions: object, provision_type: object) -> str:
    if kind == "withdrawal":
        return "withdrawn"
    if kind == "refusal":
        return "denied"
    if status == "inactive":
        return "inactive"
    granted = str(provisions).split() if isinstance(provisions, str) else []
    if "permit" in granted:
        return "partial" if "deny" in granted else "given"
    if granted:
        return "denied"
    # No nested provisions: the base provision decides; a signed document without one is consent.
    return "denied" if provision_type == "deny" else "given"


def broad_consent(consents: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """The broad consent that speaks now, one row per hospital that holds one.

    Columns: ``source``, ``hospital_id``, ``consent_id``, ``state`` (one of ``CONSENT_STATES``),
    ``date``, ``version`` (of the signed document, e.g. ``1.7.2``; null when unknown) and
    ``policy`` (its URI). A hospital without a broad consent has no row.
    """
    if consents is None or consents.empty:
        return pd.DataFrame(columns=_COLUMNS)
    rows = consents[consents["status"].isin(_IN_WORDS)].copy()
    documents = rows["policy"].map(_main_document)
    rows = rows[documents.notna()]
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    documents = documents[rows.index]
    rows["kind"] = [d[0] for d in documents]
    rows["version"] = [d[1] for d in documents]
    rows["document"] = [d[2] for d in documents]
    rows["hospital_id"] = hospital_of(rows, patients)
    latest = rows.sort_values(["date", "last_updated"], kind="stable", na_position="first")
    latest = latest.groupby("hospital_id", sort=False).tail(1)
    out = pd.DataFrame(
        {
            "source": latest["source"],
            "hospital_id": latest["hospital_id"],
            "consent_id": latest["id"],
            "state": [
                _state(r.status, r.kind, r.provisions, r.provision_type)
                for r in latest.itertuples(index=False)
            ],
            "date": latest["date"],
            "version": latest["version"],
            "policy": latest["document"],
        }
    )
    return out.sort_values("date", kind="stable").reset_index(drop=True)[_COLUMNS]
