"""Patient search input, spelling variants, matching, grouping into persons, access rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from services.codes import KVNR
from services.domain.access import Access, access_to, reason_ok
from services.domain.patient_search import (
    MAX_VARIANTS,
    SearchInputError,
    fold,
    matches,
    name_variants,
    parse_criteria,
)
from services.patient_record import (
    chunks,
    patient_searches,
    persons,
    record_searches,
    same_person_search,
)
from services.roles import Role, User

pytestmark = pytest.mark.unit
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
    assert parse_criteria("", "1988-04-12", "", TODAY).birth_date == date(1988, 4, 12)
    assert parse_criteria("", "", "z402270418", TODAY).kvnr == "Z402270418"
    assert parse_criteria("", "", "40000007", TODAY).number == "40000007"


@pytest.mark.parametrize(
    ("name", "born", "ident", "key"),
    [
        ("", "", "", "search.error.empty"),
        ("   ", " ", " ", "search.error.empty"),
        ("M", "", "", "search.error.name_short"),
        ("Robert'); DROP", "", "", "search.error.name_chars"),
        ("Anna1", "", "", "search.error.name_chars"),
        ("a b c d e", "", "", "search.error.name_words"),
        ("", "31.02.1988", "", "search.error.birth_date"),
        ("", "12/04/88", "", "search.error.birth_date"),
        ("", "01.01.2030", "", "search.error.birth_date_range"),
        ("", "", "40000007|x", "search.error.identifier"),
        ("", "", "*", "search.error.identifier"),
    ],
)
def test_bad_input_names_its_message(name, born, ident, key):
    with pytest.raises(SearchInputError) as error:
        parse_criteria(name, born, ident, TODAY)
    assert error.value.message_key == key


def test_hyphenated_and_apostrophe_names_are_accepted():
    assert parse_criteria("Müller-Lüdenscheidt", "", "", TODAY).words == ("Müller-Lüdenscheidt",)
    assert parse_criteria("O'Neill", "", "", TODAY).words == ("O'Neill",)


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
    both = parse_criteria("mueller", "", "", TODAY)
    assert matches(frame, both).tolist() == [True, True, True, False]
    anna = parse_criteria("Anna Müller", "", "", TODAY)
    assert matches(frame, anna).tolist() == [True, True, False, False]
    half = parse_criteria("Lüdenscheidt", "", "", TODAY)
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


def test_searches_or_the_spellings_and_and_the_words():
    criteria = parse_criteria("Anna Müller", "02.01.1950", "", TODAY)
    (search,) = patient_searches(criteria)
    assert search.resource_type == "Patient"
    assert search.params["name"] == ["anna", "mueller,müller"]
    assert search.params["birthdate"] == ["1950-01-02"]


def test_a_number_is_asked_as_patient_number_and_as_case_number():
    by_patient, by_case = patient_searches(parse_criteria("", "", "25000001", TODAY))
    assert by_patient.params["identifier"] == ["25000001"]
    assert by_case.resource_type == "Encounter"
    assert by_case.params["identifier"] == ["25000001"]
    assert by_case.params["_include"] == ["Encounter:subject"]


def test_kvnr_search_uses_the_kvnr_system():
    (search,) = patient_searches(parse_criteria("", "", "A000000001", TODAY))
    assert search.params["identifier"] == [f"{KVNR}|A000000001"]
    same = same_person_search(["B000000002", "A000000001", "A000000001"])
    assert same.params["identifier"] == [f"{KVNR}|A000000001,{KVNR}|B000000002"]


def test_record_searches_are_one_per_kind_with_an_or_list():
    searches = record_searches(["p2", "p1"])
    assert set(searches) == {
        "Encounter",
        "Condition",
        "Procedure",
        "MedicationRequest",
        "Observation",
    }
    for search in searches.values():
        assert search.params["patient"] == ["Patient/p1,Patient/p2"]
    assert searches["Encounter"].params["_include"] == [
        "Encounter:location",
        "Encounter:practitioner",
    ]


def test_chunks_split_long_or_lists():
    batches = list(chunks([f"p{n:03d}" for n in range(250)] + ["p000"], size=100))
    assert [len(b) for b in batches] == [100, 100, 50]


def user(role: Role, hospital: str | None = "h1") -> User:
    return User("u", "U", role, hospital_id=hospital, wards=("w1",))


def test_physician_own_hospital_opens_directly_others_need_a_reason():
    assert access_to(user(Role.PHYSICIAN), ["h2", "h1"]) == Access.DIRECT
    assert access_to(user(Role.PHYSICIAN), ["h2", "h3"]) == Access.BREAK_GLASS
    assert access_to(user(Role.PHYSICIAN, None), ["h2"]) == Access.BREAK_GLASS


def test_nurse_only_patients_on_own_wards_manager_and_admin_never():
    assert access_to(user(Role.NURSE), ["h1"], on_users_wards=True) == Access.DIRECT
    assert access_to(user(Role.NURSE), ["h1"], on_users_wards=False) == Access.DENIED
    assert access_to(user(Role.MANAGER), ["h1"], on_users_wards=True) == Access.DENIED
    assert access_to(user(Role.ADMIN), ["h1"], on_users_wards=True) == Access.DENIED


def test_a_reason_must_say_something():
    assert not reason_ok(None)
    assert not reason_ok("   ok    ")
    assert reason_ok("Notfallaufnahme, Vorbefunde benötigt")
