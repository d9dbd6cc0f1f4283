"""One stay per Einrichtungskontakt: the MII contact levels collapsed into the rows pages count.

The MII Fall module writes one stay as up to three levels of Encounter linked by ``partOf``:
Einrichtungskontakt (the hospital stay) > Abteilungskontakt (a department) >
Versorgungsstellenkontakt (a ward or other care unit). Every page counts stays, so counting the
levels would count a patient two or three times. ``collapse`` runs where the Encounter tables are
finished (``services.frames.finish``, called by ``Platform`` for every read and refresh): nothing
downstream sees a level, and no page can forget to collapse.

Why there and not in each domain function: the census, length of stay, admissions, the placements
of the start pages and the timeline all read ``encounter`` and ``encounter_location``; one
collapse at the frame edge is one rule. ``Platform.refresh`` keeps the extracted levels and
collapses again after merging changes, since a changed Abteilungskontakt alone is no stay.

The rules:
- Levels are linked by ``part_of_id`` (a literal reference) and by ``part_of_case`` (a logical
  reference by the stay's case number, matched against the ``case_number`` of the source's
  Einrichtungskontakte by system and value, since the hospitals of one source number their
  cases alike). Levels pointing at the same Encounter or case that is not in the read (a
  search that matched only the level carrying a ward) still form one stay together.
- A contact ``entered-in-error`` or ``cancelled`` is no stay and gives nothing; a stay whose
  Einrichtungskontakt has such a status is gone with all its levels.
- The stay's row is its Einrichtungskontakt, or, when the read holds none, its highest level
  present (earliest start first). Its id is that row's id. Status, start and end are the
  Einrichtungskontakt's when present; else in progress while any level is, start the earliest,
  end the latest of finished levels. The department is the current (else the latest)
  Abteilungskontakt's, else the row's own. Other empty fields are filled from the levels below.
- Ward, room and bed periods come from the lowest level that has periods of that physical type,
  so a ward carried by the Abteilungskontakt and its Versorgungsstellenkontakt counts once.
- A stay without a hospital gets the only hospital of its source, else the source's name.
- Encounters without levels or ``partOf`` (our generator, ISiK) pass through unchanged.

``encounter_contact`` maps every Encounter of a kept stay to its stay, so that a Condition,
Observation or Task that points at a lower level finds the stay (``stay_of``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.codes import NOT_A_STAY

__all__ = [
    "CONTACT_COLUMNS",
    "LEVEL_RANK",
    "collapse",
    "fill_hospitals",
    "has_lower_levels",
    "stay_of",
    "widened",
]

CONTACT_COLUMNS = ("encounter_id", "stay_id", "level")
# Higher is lower in the hierarchy; a contact without a level is a stay of its own.
LEVEL_RANK = {"einrichtungskontakt": 0, "abteilungskontakt": 1, "versorgungsstellenkontakt": 2}
_OTHER_LEVEL = 3
_HEAD = "einrichtungskontakt"
_FIRST_FILLED = (
    "patient_id",
    "hospital_id",
    "case_number",
    "class",
    "department",
    "planned_end",
    "planned_end_recorded",
    "attending_id",
    "admit_source",
)


def collapse(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``encounter`` and ``encounter_location`` as stays, plus ``encounter_contact``."""
    encounters = tables["encounter"]
    places = tables["encounter_location"]
    void = encounters["status"].isin(NOT_A_STAY).to_numpy()
    linked = (
        encounters["part_of_id"].notna()
        | encounters["part_of_case"].notna()
        | (encounters["contact_level"].notna() & (encounters["contact_level"] != _HEAD))
    ).to_numpy()
    if not linked.any():
        kept = encounters[~void] if void.any() else encounters
        if void.any():
            places = places[places["encounter_id"].isin(set(kept["id"]))]
        contacts = pd.DataFrame(
            {
                "source": kept["source"],
                "encounter_id": kept["id"],
                "stay_id": kept["id"],
                "level": kept["contact_level"],
            }
        ).reset_index(drop=True)
        out = {
            **tables,
            "encounter": fill_hospitals(kept.reset_index(drop=True)),
            "encounter_location": places.reset_index(drop=True),
            "encounter_contact": contacts,
        }
        return out
    return _collapse_levels(tables, encounters, places, void)


def _collapse_levels(
    tables: dict[str, pd.DataFrame],
    encounters: pd.DataFrame,
    places: pd.DataFrame,
    void: np.ndarray,
) -> dict[str, pd.DataFrame]:
    frame = encounters.reset_index(drop=True)
    rank = frame["contact_level"].map(LEVEL_RANK).fillna(_OTHER_LEVEL).astype("int64")
    rank = rank.where(frame["contact_level"].notna(), 0)
    stay_ids = _stay_ids(frame, rank.to_numpy(), void)
    frame = frame.assign(_stay=stay_ids, _rank=rank, _void=void)
    grouped = frame[frame["_stay"].notna()]
    keys = ["source", "_stay"]
    valid = grouped[~grouped["_void"]].sort_values(["_rank", "start", "id"], kind="stable")

    base = grouped[grouped["id"] == grouped["_stay"]].drop_duplicates(keys).set_index(keys)
    has_head = grouped.assign(_head=grouped["contact_level"] == _HEAD).groupby(keys)["_head"].any()
    has_head = has_head.reindex(base.index, fill_value=False)
    per_stay = valid.groupby(keys, sort=False)
    firsts = per_stay[list(_FIRST_FILLED)].first().reindex(base.index)
    stays = base.copy()
    department = _current_department(valid).reindex(base.index)
    stays["department"] = department.fillna(base["department"])
    for column in _FIRST_FILLED:
        if column != "department":
            stays[column] = base[column].fillna(firsts[column])
    stays["department"] = stays["department"].fillna(firsts["department"])
    stays["discharge_disposition"] = base["discharge_disposition"].fillna(
        per_stay["discharge_disposition"].last().reindex(base.index)
    )
    stays["last_updated"] = grouped.groupby(keys)["last_updated"].max().reindex(base.index)

    statuses = per_stay["status"].agg(lambda s: _members_status(s.tolist())).reindex(base.index)
    members_start = per_stay["start"].min().reindex(base.index)
    finished = valid[valid["status"] == "finished"]
    members_end = finished.groupby(keys)["end"].max().reindex(base.index)
    stays["status"] = base["status"].where(has_head, statuses)
    stays["start"] = base["start"].where(has_head, members_start)
    members_end = members_end.where(stays["status"] == "finished")
    stays["end"] = base["end"].where(has_head, members_end)

    order = {key: n for n, key in enumerate(zip(frame["source"], frame["id"], strict=True))}
    stays = stays.reset_index()
    stays = stays.iloc[
        np.argsort([order[k] for k in zip(stays["source"], stays["_stay"], strict=True)])
    ]
    stays = stays.drop(columns=["_stay", "_rank", "_void"])[list(encounters.columns)]
    stays = stays.astype(encounters.dtypes.to_dict())

    contacts = pd.DataFrame(
        {
            "source": grouped["source"],
            "encounter_id": grouped["id"],
            "stay_id": grouped["_stay"].astype("str"),
            "level": grouped["contact_level"],
        }
    )
    return {
        **tables,
        "encounter": fill_hospitals(stays.reset_index(drop=True)),
        "encounter_location": _lowest_places(places, valid),
        "encounter_contact": contacts.reset_index(drop=True),
    }


def _stay_ids(frame: pd.DataFrame, rank: np.ndarray, void: np.ndarray) -> list[str | None]:
    """The id of the stay each row belongs to; None for rows of no stay."""
    parent: dict[object, object] = {}

    def root(node: object) -> object:
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])
            node = parent[node]
        return node

    def join(a: object, b: object) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra

    sources = frame["source"].tolist()
    ids = frame["id"].tolist()
    levels = frame["contact_level"].tolist()
    # A case number is unique within its system only: each hospital numbers its own cases.
    cases = list(zip(frame["case_system"].fillna(""), frame["case_number"], strict=True))
    part_ids = frame["part_of_id"].tolist()
    part_cases = list(
        zip(frame["part_of_case_system"].fillna(""), frame["part_of_case"], strict=True)
    )
    row_of = {(s, i): n for n, (s, i) in enumerate(zip(sources, ids, strict=True))}
    for n in range(len(ids)):
        parent.setdefault(n, n)
        # The case number names the stay; only its Einrichtungskontakt is the stay itself.
        if levels[n] == _HEAD and _is_text(cases[n][1]):
            join(("case", sources[n], *cases[n]), n)
    for n in range(len(ids)):
        if _is_text(part_ids[n]):
            target = row_of.get((sources[n], part_ids[n]))
            join(("ref", sources[n], part_ids[n]) if target is None else target, n)
        if _is_text(part_cases[n][1]):
            join(("case", sources[n], *part_cases[n]), n)

    members: dict[object, list[int]] = {}
    for n in range(len(ids)):
        members.setdefault(root(n), []).append(n)
    starts = frame["start"].tolist()
    out: list[str | None] = [None] * len(ids)
    for rows in members.values():
        heads = [n for n in rows if levels[n] == _HEAD]
        if heads and all(void[n] for n in heads):
            continue
        alive = [n for n in rows if not void[n]]
        if not alive:
            continue
        chosen = min(
            [n for n in heads if not void[n]] or alive,
            key=lambda n: (rank[n], _sortable(starts[n]), ids[n]),
        )
        for n in rows:
            out[n] = ids[chosen]
    return out


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _sortable(moment: object) -> pd.Timestamp:
    return pd.Timestamp.max.tz_localize("UTC") if pd.isna(moment) else moment


def _members_status(statuses: list[object]) -> object:
    if "in-progress" in statuses:
        return "in-progress"
    if "finished" in statuses:
        return "finished"
    return statuses[0] if statuses else None


def _current_department(valid: pd.DataFrame) -> pd.Series:
    """Per stay: the department of the Abteilungskontakt in progress, else of the latest one."""
    departments = valid[
        (valid["contact_level"] == "abteilungskontakt") & valid["department"].notna()
    ]
    ordered = departments.assign(_open=departments["status"] != "in-progress").sort_values(
        ["_open", "start"], ascending=[True, False], kind="stable"
    )
    return ordered.groupby(["source", "_stay"])["department"].first()


def _lowest_places(places: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """Location periods re-keyed to the stay, each physical type from its lowest level."""
    member = valid[["source", "id", "_stay", "_rank"]].rename(columns={"id": "encounter_id"})
    rows = places.reset_index(drop=True).reset_index(names="_order")
    rows = rows.merge(member, on=["source", "encounter_id"], how="inner")
    kind = rows["physical_type"].fillna("")
    lowest = rows.groupby(["source", "_stay", kind])["_rank"].transform("max")
    rows = rows[rows["_rank"] == lowest]
    rows = rows.assign(encounter_id=rows["_stay"].astype("str")).sort_values("_order")
    rows = rows.drop_duplicates(
        ["source", "encounter_id", "location_id", "physical_type", "start", "end"]
    )
    return rows[list(places.columns)].astype(places.dtypes.to_dict()).reset_index(drop=True)


def fill_hospitals(frame: pd.DataFrame) -> pd.DataFrame:
    """``hospital_id`` where empty: the only hospital of the row's source, else the source name.

    Sources without Organization resources (MII research exports) name no hospital on most rows;
    a name the pages can group by is better than a blank group.
    """
    missing = frame["hospital_id"].isna()
    if not missing.any():
        return frame
    named = frame[~missing].groupby("source")["hospital_id"].unique()
    sole = {source: ids[0] for source, ids in named.items() if len(ids) == 1}
    fallback = frame.loc[missing, "source"].map(lambda s: sole.get(s, s))
    out = frame.copy()
    out.loc[missing, "hospital_id"] = fallback.astype(out["hospital_id"].dtype)
    return out


def stay_of(encounter_ids: pd.DataFrame, contacts: pd.DataFrame) -> pd.Series:
    """The stay id of each (``source``, ``encounter_id``) row; the id itself when not mapped.

    For tables that point at an Encounter (Condition, Observation, Task): a reference to an
    Abteilungs- or Versorgungsstellenkontakt becomes the stay it belongs to. A reference to an
    Encounter outside ``contacts`` (another read, or none) is kept as written.
    """
    mapping = contacts.set_index(["source", "encounter_id"])["stay_id"]
    mapping = mapping[~mapping.index.duplicated()]
    keys = pd.MultiIndex.from_arrays([encounter_ids["source"], encounter_ids["encounter_id"]])
    found = pd.Series(mapping.reindex(keys).to_numpy(), index=encounter_ids.index)
    return found.fillna(encounter_ids["encounter_id"]).astype("str")


def has_lower_levels(contacts: pd.DataFrame | None) -> bool:
    """Whether any contact is an Abteilungs- or Versorgungsstellenkontakt: only then can a
    stay's resources point at a contact the read did not hold."""
    if contacts is None or contacts.empty:
        return False
    return bool(contacts["level"].map(LEVEL_RANK).fillna(0).gt(0).any())


def widened(contacts: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """``contacts`` plus every contact that ``more`` (the ``encounter_contact`` of another read)
    puts in the same stay as one of them, mapped to the stay id of ``contacts``.

    A ward's read finds the contact of the ward a patient lies on now; the ward contacts of the
    wards the stay passed through before are finished and match no such search. Vital signs and
    tasks written there point at them, so without them the board loses the set taken an hour
    before the transfer.
    """
    if more.empty:
        return contacts
    keys = ["source", "encounter_id"]
    theirs = more.rename(columns={"stay_id": "their_stay"})
    links = contacts[[*keys, "stay_id"]].merge(theirs[[*keys, "their_stay"]], on=keys)
    links = links[["source", "stay_id", "their_stay"]].drop_duplicates()
    added = links.merge(theirs, on=["source", "their_stay"])[[*keys, "stay_id", "level"]]
    out = pd.concat([contacts, added.astype(contacts.dtypes.to_dict())], ignore_index=True)
    return out.drop_duplicates(keys, keep="first").reset_index(drop=True)
