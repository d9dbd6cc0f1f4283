"""Patient search input, spelling variants, matching, grouping into persons, access rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from services.audit import audit_event, query_of
from services.codes import KVNR
from services.domain.access import Access, access_to, reason_ok
from services.domain.patient_search import (
    MAX_IDENTIFIER,
    MAX_VARIANTS,
    Criteria,
    SearchInputError,
    escape_value,
    fold,
    matches,
    may_search,
    name_variants,
    parse_criteria,
    result_rows,
)
from services.domain.people import display_names, identifier_texts
from services.errors import SourceUnavailable
from services.frames import KINDS, Collector
from services.patient_record import (
    SearchResult,
    chunks,
    patient_searches,
    persons,
    record_key,
    record_searches,
    same_person_search,
    search_audit,
)
from services.platform import FrameSet
from services.roles import Role, User
from services.search import PageStats

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Müller", ["mueller", "müller"]),
        ("Mueller", ["mueller", "müller"]),
        ("MÜLLER", ["mueller", "müller"]),
        ("Strauß", ["strauss", "strauß"]),
        ("Schröder", ["schroeder", "schröder"]),
        ("Bäcker", ["baecker", "bäcker"]),
        ("Weber", ["weber"]),
    ],
)
def test_name_variants_cover_umlaut_spellings(typed, expected):
    assert name_variants(typed) == expected


def test_name_variants_are_bounded():
    assert len(name_variants("Aeoeueaeoeueaeoeue")) == MAX_VARIANTS


def test_fold_makes_spellings_equal():
    assert fold("Müller") == fold("Mueller") == fold("MUELLER") == "mueller"
    assert fold("Strauß") == fold("Strauss")
    assert fold("José") == "jose"


def test_parse_criteria_reads_each_field():
    c = parse_criteria(" Anna  Müller ", "12.04.1988", "", TODAY)
    assert c.words == ("Anna", "Müller")
    assert c.birth_date == date(1988, 4, 12)
    assert parse_criteria("Müller", "1988-04-12", "", TODAY).birth_date == date(1988, 4, 12)
    kvnr = parse_criteria("", "", "z402270418", TODAY)
    assert (kvnr.identifier, kvnr.kvnr) == ("z402270418", "Z402270418")
    assert parse_criteria("", "", "4000 0007", TODAY).identifier == "40000007"


@pytest.mark.parametrize(
    ("typed", "kvnr", "patient_id", "case_number"),
    [
        # The UKHD MR number: digits with leading zeros, also the Patient id there.
        ("0001310848", None, "0001310848", "0001310848"),
        ("Patient-54211", None, "Patient-54211", "Patient-54211"),
        ("54211", None, "54211", "54211"),
        ("A000000001", "A000000001", "A000000001", "A000000001"),
        ("40000007|x", None, None, None),
        ("MR/2024,7$\\1", None, None, None),
        ("*", None, None, None),
    ],
)
def test_any_identifier_is_accepted_its_shape_only_adds_searches(
    typed, kvnr, patient_id, case_number
):
    criteria = parse_criteria("", "", typed, TODAY)
    assert criteria.identifier == typed
    assert (criteria.kvnr, criteria.patient_id, criteria.case_number) == (
        kvnr,
        patient_id,
        case_number,
    )


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("0001310848", "0001310848"),
        ("a,b", "a\\,b"),
        ("sys|value", "sys\\|value"),
        ("a$b", "a\\$b"),
        ("a\\,b", "a\\\\\\,b"),
        ("\\", "\\\\"),
    ],
)
def test_identifier_values_are_escaped_for_fhir_search(raw, escaped):
    assert escape_value(raw) == escaped


@pytest.mark.parametrize(
    ("name", "born", "ident"),
    [
        ("Müller", "12.04.1988", ""),
        ("Anna Müller", "", ""),
        ("Mü Li", "", ""),
        ("", "", "0001310848"),
        ("", "12.04.1988", "54211"),
        ("Sc", "", "40000007"),
    ],
)
def test_specific_enough_searches_pass(name, born, ident):
    assert not parse_criteria(name, born, ident, TODAY).empty


@pytest.mark.parametrize(
    ("name", "born", "ident", "key"),
    [
        ("", "", "", "search.error.empty"),
        ("   ", " ", " ", "search.error.empty"),
        # Too broad to be a search for one person: a directory listing.
        ("Sc", "", "", "search.error.unspecific"),
        ("Müller", "", "", "search.error.unspecific"),
        ("", "12.04.1988", "", "search.error.unspecific"),
        ("ae" * 2500, "", "", "search.error.name_long"),
        ("A" + "e" * 40 + " Anna", "", "", "search.error.name_long"),
        ("M", "", "", "search.error.name_short"),
        ("Robert'); DROP", "", "", "search.error.name_chars"),
        ("Anna1", "", "", "search.error.name_chars"),
        ("a b c d e", "", "", "search.error.name_words"),
        ("", "31.02.1988", "", "search.error.birth_date"),
        ("", "12/04/88", "", "search.error.birth_date"),
        ("", "01.01.2030", "", "search.error.birth_date_range"),
        ("", "", "4000\x000007", "search.error.identifier"),
        ("", "", "4000\u200b0007", "search.error.identifier"),
        ("", "", "1" * (MAX_IDENTIFIER + 1), "search.error.identifier_long"),
    ],
)
def test_bad_input_names_its_message(name, born, ident, key):
    with pytest.raises(SearchInputError) as error:
        parse_criteria(name, born, ident, TODAY)
    assert error.value.message_key == key


def test_hyphenated_and_apostrophe_names_are_accepted():
    assert parse_criteria("Müller-Lüdenscheidt Paul", "", "", TODAY).words[0] == (
        "Müller-Lüdenscheidt"
    )
    assert parse_criteria("O'Neill", "01.02.1960", "", TODAY).words == ("O'Neill",)


def patients_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["S", "S", "S", "T"],
            "id": ["p1", "p2", "p3", "p1"],
            "hospital_id": ["h1", "h2", "h1", "h3"],
            "kvnr": ["A000000001", "A000000001", None, "B000000002"],
            "family": ["Müller", "Mueller", "Müller-Lüdenscheidt", "Schmidt"],
            "given": ["Anna", "Anna", "Paul", "Anna"],
            "birth_date": [date(1950, 1, 2), date(1950, 1, 2), date(1960, 3, 4), date(1970, 5, 6)],
        }
    )


def test_matches_by_any_spelling_and_every_word():
    frame = patients_frame()
    # Criteria built directly: one name word alone is refused by parse_criteria, not by matches.
    both = Criteria(("mueller",))
    assert matches(frame, both).tolist() == [True, True, True, False]
    anna = parse_criteria("Anna Müller", "", "", TODAY)
    assert matches(frame, anna).tolist() == [True, True, False, False]
    half = Criteria(("Lüdenscheidt",))
    assert matches(frame, half).tolist() == [False, False, True, False]
    born = parse_criteria("Anna", "06.05.1970", "", TODAY)
    assert matches(frame, born).tolist() == [False, False, False, True]


def test_persons_group_records_by_kvnr():
    grouped = persons(patients_frame()).set_index("person")
    assert len(grouped) == 3
    assert grouped.loc["A000000001", "hospitals"] == ("h1", "h2")
    assert grouped.loc["A000000001", "records"] == (("S", "p1", "h1"), ("S", "p2", "h2"))
    # Without a KVNR a record is a person of its own, never merged by name.
    assert grouped.loc["record:S/p3", "records"] == (("S", "p3", "h1"),)


def test_a_name_word_of_the_maximum_length_passes():
    assert parse_criteria("A" * 40 + " Anna", "", "", TODAY).words[0] == "A" * 40
    assert parse_criteria("", "", "1" * MAX_IDENTIFIER, TODAY).identifier == "1" * MAX_IDENTIFIER


def test_searches_or_the_spellings_and_and_the_words():
    criteria = parse_criteria("Anna Müller", "02.01.1950", "", TODAY)
    (search,) = patient_searches(criteria)
    assert search.resource_type == "Patient"
    assert search.params["name"] == ["anna", "mueller,müller"]
    assert search.params["birthdate"] == ["1950-01-02"]


def test_a_number_is_asked_as_any_identifier_as_patient_id_and_as_case_number():
    by_identifier, by_id, by_case = patient_searches(parse_criteria("", "", "0001310848", TODAY))
    assert by_identifier.resource_type == by_id.resource_type == "Patient"
    # No system: MR numbers under an OID, pseudonyms and KVNRs are all found by their value.
    assert by_identifier.params["identifier"] == ["0001310848"]
    assert by_id.params["_id"] == ["0001310848"]
    assert by_case.resource_type == "Encounter"
    assert by_case.params["identifier"] == ["0001310848"]
    assert by_case.params["_include"] == ["Encounter:subject"]


def test_a_value_with_search_syntax_is_one_escaped_identifier_and_nothing_else():
    (search,) = patient_searches(parse_criteria("", "", "40000007,40000008|x$y", TODAY))
    assert dict(search.params) == {"identifier": ["40000007\\,40000008\\|x\\$y"]}


def test_name_and_identifier_are_both_asked_of_the_server():
    searches = patient_searches(parse_criteria("Anna", "02.01.1950", "54211", TODAY))
    for search in searches[:2]:
        assert search.params["name"] == ["anna"]
        assert search.params["birthdate"] == ["1950-01-02"]


def test_a_kvnr_typed_in_lower_case_is_also_asked_with_the_kvnr_system():
    (upper, _, _) = patient_searches(parse_criteria("", "", "A000000001", TODAY))
    assert upper.params["identifier"] == ["A000000001"]
    (lower, _, _) = patient_searches(parse_criteria("", "", "a000000001", TODAY))
    assert lower.params["identifier"] == [f"a000000001,{KVNR}|A000000001"]


def test_same_person_search_uses_the_kvnr_system():
    same = same_person_search(["B000000002", "A000000001", "A000000001"])
    assert same.params["identifier"] == [f"{KVNR}|A000000001,{KVNR}|B000000002"]


def test_record_searches_are_one_per_kind_with_an_or_list():
    searches = record_searches(["p2", "p1"])
    assert set(searches) == {
        "Encounter",
        "Condition",
        "Procedure",
        "MedicationRequest",
        "MedicationAdministration",
        "MedicationStatement",
        "Observation",
        "DiagnosticReport",
        "ServiceRequest",
        "Consent",
        "AllergyIntolerance",
        "Flag",
        "DocumentReference",
    }
    for search in searches.values():
        assert search.params["patient"] == ["Patient/p1,Patient/p2"]
    assert searches["Encounter"].params["_include"] == [
        "Encounter:location",
        "Encounter:practitioner",
    ]
    # MII entries name their drug by a Medication resource: it comes along, no read per drug.
    for kind in ("MedicationRequest", "MedicationAdministration", "MedicationStatement"):
        assert searches[kind].params["_include"] == [f"{kind}:medication"]
    assert searches["DocumentReference"].params["_include"] == ["DocumentReference:author"]


def test_chunks_split_long_or_lists():
    batches = list(chunks([f"p{n:03d}" for n in range(250)] + ["p000"], size=100))
    assert [len(b) for b in batches] == [100, 100, 50]


def user(role: Role, hospital: str | None = "h1") -> User:
    return User("u", "U", role, hospital_id=hospital, wards=("w1",))


def test_physician_own_hospital_opens_directly_others_need_a_reason():
    assert access_to(user(Role.PHYSICIAN), ["h2", "h1"]) == Access.DIRECT
    assert access_to(user(Role.PHYSICIAN), ["h2", "h3"]) == Access.BREAK_GLASS
    # No hospital is no own facility, and no access: an empty scope fails closed.
    assert access_to(user(Role.PHYSICIAN, None), ["h2"]) == Access.DENIED


def test_nurse_only_patients_on_own_wards_manager_and_admin_never():
    assert access_to(user(Role.NURSE), ["h1"], on_users_wards=True) == Access.DIRECT
    assert access_to(user(Role.NURSE), ["h1"], on_users_wards=False) == Access.DENIED
    assert access_to(user(Role.MANAGER), ["h1"], on_users_wards=True) == Access.DENIED
    assert access_to(user(Role.ADMIN), ["h1"], on_users_wards=True) == Access.DENIED


def test_a_reason_must_say_something():
    assert not reason_ok(None)
    assert not reason_ok("   ok    ")
    assert reason_ok("Notfallaufnahme, Vorbefunde benötigt")


def unnamed_frame() -> pd.DataFrame:
    """Records as real exports give them: no name, partly no KVNR, MR numbers and pseudonyms."""
    return pd.DataFrame(
        {
            "source": ["S", "T", "S", "T", "S"],
            "id": ["0001310848", "p9", "Patient-54211", "Patient-54211", "p7"],
            "hospital_id": [None, "h3", None, None, "h1"],
            "kvnr": [None, None, None, "", "A000000001"],
            "mrn": ["0001310848", "0001310848", None, None, None],
            "pseudonym": [None, None, "54211", "54211", None],
            "family": [None, None, None, None, None],
            "given": [None, None, None, None, None],
            "birth_date": [date(1930, 3, 3), None, date(1954, 2, 1), None, None],
        }
    )


def test_persons_without_kvnr_are_keyed_by_source_and_patient_id():
    grouped = persons(unnamed_frame()).set_index("person")
    # The same MR number or pseudonym at two sources is not evidence of one person.
    assert sorted(grouped.index) == [
        "A000000001",
        "record:S/0001310848",
        "record:S/Patient-54211",
        "record:T/Patient-54211",
        "record:T/p9",
    ]
    assert grouped.loc["record:S/Patient-54211", "pseudonym"] == "54211"
    assert grouped.loc["record:S/0001310848", "mrn"] == "0001310848"
    assert record_key("S", "p1") == "record:S/p1"


def test_a_nameless_patient_is_shown_by_mr_number_else_pseudonym_else_patient_id():
    frame = unnamed_frame().assign(mrn=["0001310848", None, None, None, None])
    frame.loc[4, "family"] = "Weiß"
    assert display_names(frame).tolist() == [
        "Patientennr. 0001310848",
        "Patienten-ID p9",
        "Pseudonym 54211",
        "Pseudonym 54211",
        "Weiß",
    ]
    assert display_names(frame, "en").tolist()[:2] == ["Patient no. 0001310848", "Patient id p9"]
    assert identifier_texts(frame).tolist() == [
        "Patientennr. 0001310848",
        "Patienten-ID p9",
        "Pseudonym 54211",
        "Pseudonym 54211",
        "KVNR A000000001",
    ]


def test_names_are_never_a_bare_dash_none_or_nan_for_a_patient():
    frame = unnamed_frame().assign(mrn=[None, "  ", None, None, None], pseudonym=None)
    frame["id"] = [None, "p9", float("nan"), "", "p7"]
    shown = display_names(frame)
    assert shown.tolist() == [
        "ohne Name und Kennung",
        "Patienten-ID p9",
        "ohne Name und Kennung",
        "ohne Name und Kennung",
        "Patienten-ID p7",
    ]
    assert not any(text in {"–", "None", "nan", "<NA>"} for text in shown)


def test_a_practitioner_without_a_name_is_not_labelled_by_an_id():
    practitioners = pd.DataFrame({"id": ["pra-1", "pra-2"], "family": ["Weiß", None]})
    practitioners["given"] = ["Anna", None]
    assert display_names(practitioners).tolist() == ["Weiß, Anna", "–"]


def test_only_physicians_search():
    assert may_search(user(Role.PHYSICIAN))
    for role in (Role.NURSE, Role.MANAGER, Role.ADMIN):
        assert not may_search(user(role))


def test_rows_of_persons_not_openable_directly_show_no_kvnr_and_no_birth_date():
    found = persons(patients_frame())
    rows = result_rows(found, user(Role.PHYSICIAN, "h2"), "de")
    by_name = rows.set_index("name")
    # Anna Müller is known at h1 and h2: own hospital, everything shown.
    assert by_name.loc["Müller, Anna", "kvnr"] == "A000000001"
    assert by_name.loc["Müller, Anna", "birth_date"] == date(1950, 1, 2)
    for other in ("Müller-Lüdenscheidt, Paul", "Schmidt, Anna"):
        assert by_name.loc[other, "access"] == Access.BREAK_GLASS
        assert not by_name.loc[other, "disclosed"]
        assert by_name.loc[other, "kvnr"] is None
        assert by_name.loc[other, "birth_date"] is None
    # The undisclosed values are gone from the rows, not merely formatted away.
    assert "B000000002" not in rows.to_string() and "1970" not in rows.to_string()
    assert list(rows["name"]) == list(display_names(found))


def frame_set(answered: list[str], failed: list[str]) -> FrameSet:
    return FrameSet(
        "Patient",
        {},
        stats=[PageStats(source=s, resource_type="Patient") for s in answered],
        errors={s: SourceUnavailable("down", source=s) for s in failed},
    )


@pytest.mark.parametrize(
    ("answered", "failed", "capped", "outcome"),
    [
        (["A", "B"], [], False, "0"),
        (["A"], ["B"], False, "4"),
        ([], ["A", "B"], False, "8"),
        (["A", "B"], [], True, "4"),
    ],
)
def test_a_search_is_audited_with_criteria_count_and_outcome_never_results(
    answered, failed, capped, outcome
):
    criteria = parse_criteria("Anna Müller", "02.01.1950", "0001310848", TODAY)
    found = persons(patients_frame())
    shown = found.iloc[:0] if capped else found
    result = SearchResult(shown, patients_frame(), [frame_set(answered, failed)], capped=capped)
    rec = search_audit(user(Role.PHYSICIAN), criteria, result, "patient_search")
    event = audit_event(rec)
    assert event["action"] == "E" and event["subtype"][0]["code"] == "search"
    assert event["outcome"] == outcome
    assert event["agent"][0]["altId"] == "u"
    assert query_of(event) == "name=Anna Müller&birthdate=1950-01-02&identifier=0001310848"
    (entity,) = event["entity"]
    assert entity["role"]["code"] == "24"
    assert entity["detail"] == [{"type": "rows", "valueString": str(len(shown))}]
    text = json.dumps(event, ensure_ascii=False)
    for disclosed in ("A000000001", "Schmidt", "Patient/"):
        assert disclosed not in text
    assert ("outcomeDesc" in event) == (outcome != "0")


REALDATA_CANDIDATES = (
    REPO.parent / "shared" / "realdata",
    # A worktree sits one level deeper than the main checkout.
    REPO.parent.parent / "shared" / "realdata",
)


def realdata_patients() -> pd.DataFrame:
    folder = next((p for p in REALDATA_CANDIDATES if p.is_dir()), None)
    assert folder is not None, f"the real exports are missing: {REALDATA_CANDIDATES}"
    frames = []
    for path in sorted(folder.glob("*/*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        collector = Collector(KINDS, "Patient", source=path.parent.name.upper())
        collector.feed(entry["resource"] for entry in bundle["entry"])
        frames.append(collector.frames()["patient"])
    return pd.concat(frames, ignore_index=True)


def test_real_exports_show_mr_numbers_and_pseudonyms_instead_of_names():
    patients = realdata_patients()
    assert len(patients) == 5 and patients["family"].isna().all()
    assert patients["kvnr"].isna().all()
    found = persons(patients)
    assert len(found) == 5, "without KVNR every record is a person of its own"
    rows = result_rows(found, user(Role.PHYSICIAN, None), "de").assign(
        person=found["person"], identifier=identifier_texts(found)
    )
    by_person = rows.set_index("person")
    assert by_person.loc["record:UKHD/0001310848", "name"] == "Patientennr. 0001310848"
    assert by_person.loc["record:UKW/Patient-54211", "name"] == "Pseudonym 54211"
    assert by_person.loc["record:UKW/Patient-54211", "identifier"] == "Pseudonym 54211"
    assert set(rows["name"]) == {
        "Patientennr. 0001310848",
        "Patientennr. 0001736293",
        "Patientennr. 0002690836",
        "Patientennr. 0003165490",
        "Pseudonym 54211",
    }
    english = display_names(found, "en")
    assert "Patient no. 0001310848" in set(english)
    for text in [*rows["name"], *rows["identifier"], *english]:
        assert text.strip() not in {"", "–", "None", "nan", "<NA>"}
