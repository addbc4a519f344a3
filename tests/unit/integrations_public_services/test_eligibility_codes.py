"""Eligibility from the 보조금24 codes: the shipped code table, every code's handling, hand-checked real records."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from integrations.public_services.catalog import Catalog, PublicService, load_catalog
from integrations.public_services.conditions import (
    BUSINESS_GROUPS,
    HOUSEHOLD_CODES,
    INCOME_BAND_CODES,
    SEX_CODES,
    STATUS_CODES,
    Household,
    Sex,
    Status,
    load_code_table,
    vocabulary,
)
from integrations.public_services.eligibility import Applicant, ConditionAnswer, Decision, InvalidApplicant, decide

SHARED_CODES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "bojo24_condition_codes.json"


@cache
def catalog() -> Catalog:
    return load_catalog()


def record(cond: dict[str, str | int], name: str = "시험 서비스", agency: str = "보건복지부") -> PublicService:
    return PublicService.from_json({"id": "T1", "name": name, "agency": agency, "source": "test", "cond": cond})


def by_code(decision: Decision) -> dict[str, ConditionAnswer]:
    return {c.code: c for c in decision.conditions}


# --- the code table ------------------------------------------------------------------------------------------


def test_the_shipped_table_has_the_48_codes_with_their_labels_unchanged() -> None:
    table = load_code_table()
    assert len(table.codes) == 48
    if SHARED_CODES.exists():  # the shared file is the source; a fresh clone works without it
        shared = json.loads(SHARED_CODES.read_text(encoding="utf-8"))["codes"]
        assert {code: c.label for code, c in table.codes.items()} == shared
    assert table.label("JA0328") == "장애인"
    assert table.codes["JA2103"].group == "organisation_type"


def test_every_catalog_code_is_in_the_table() -> None:
    used = {code for service in catalog() for code in service.cond}
    assert used == set(load_code_table().codes)


def test_every_code_of_the_table_is_handled() -> None:
    table = load_code_table()
    personal = {
        **{code: "JA0101-JA0102" for code in SEX_CODES.values()},
        **{code: "JA0201-JA0205" for code in INCOME_BAND_CODES.values()},
        **{code: "JA0301-JA0330" for code in STATUS_CODES.values()},
        **{code: "JA0401-JA0414" for code in HOUSEHOLD_CODES.values()},
        "JA0110": "JA0110-JA0111",
        "JA0111": "JA0110-JA0111",
    }
    business = {c.code for c in table.codes.values() if c.group in BUSINESS_GROUPS}
    assert set(personal) | business == set(table.codes) and not set(personal) & business
    for code in table.codes:
        value: str | int = {"JA0110": 65, "JA0111": 30}.get(code, "Y")
        answers = by_code(decide(record({code: value}), Applicant()))
        if code in business:
            assert answers["JA1101-JA2299"].answer == "no", code
        elif code in ("JA0322", "JA0410"):  # 해당사항없음 alone: the group does not restrict
            assert answers == {}, code
        else:
            assert answers[personal[code]].answer == "unknown", code  # restricts; nothing entered


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.NONE])
def test_each_status_matches_its_own_code_only(status: Status) -> None:
    service = record({STATUS_CODES[status]: "Y"})
    assert decide(service, Applicant(statuses=frozenset({status}))).overall == "yes"
    assert decide(service, Applicant(statuses=frozenset({Status.NONE}))).overall == "no"
    other = Status.PATIENT if status is not Status.PATIENT else Status.FARMER
    assert decide(service, Applicant(statuses=frozenset({other}))).overall == "unknown"


@pytest.mark.parametrize("household", [h for h in Household if h is not Household.NONE])
def test_each_household_matches_its_own_code_only(household: Household) -> None:
    service = record({HOUSEHOLD_CODES[household]: "Y"})
    assert decide(service, Applicant(household=frozenset({household}))).overall == "yes"
    assert decide(service, Applicant(household=frozenset({Household.NONE}))).overall == "no"


def test_vocabulary_gives_ascii_ids_with_the_tables_korean_labels() -> None:
    words = vocabulary()
    assert words["status"]["disabled"] == "장애인" and words["status"]["none"] == "해당사항없음"
    assert words["household"]["single_parent_or_grandparent"] == "한부모가정/조손가정"
    assert words["income_band"]["1"] == "중위소득 0~50%" and words["sex"] == {"M": "남성", "F": "여성"}
    assert all(value.isascii() for kind in words.values() for value in kind)


def test_applicant_refuses_values_outside_the_vocabulary() -> None:
    with pytest.raises(InvalidApplicant):
        Applicant(income_band=6)
    with pytest.raises(InvalidApplicant):
        Applicant(age=-1)
    with pytest.raises(InvalidApplicant):
        Applicant(statuses=frozenset({Status.NONE, Status.DISABLED}))
    with pytest.raises(InvalidApplicant):
        Applicant(household=frozenset({Household.NONE, Household.MULTI_CHILD}))


# --- real records, checked by hand against their codes and text ------------------------------------------------


def test_age_codes_65_and_over_저소득_어르신_틀니() -> None:
    service = catalog()["354000000107"]  # JA0110 65, JA0111 120; 중위소득 0~50% only
    young = by_code(decide(service, Applicant(age=58)))["JA0110-JA0111"]
    assert (young.answer, young.reason) == ("no", "만 65세 이상 대상: 현재 만 58세")
    missing = by_code(decide(service, Applicant()))["JA0110-JA0111"]
    assert (missing.answer, missing.reason) == ("unknown", "나이 조건 있음(만 65세 이상): 나이를 입력하지 않음")
    assert by_code(decide(service, Applicant(age=65)))["JA0110-JA0111"].answer == "yes"
    assert decide(service, Applicant(age=58)).overall == "no"


def test_income_band_codes_차상위_본인부담_경감() -> None:
    service = catalog()["WLU000000020"]  # JA0201 only: 중위소득 0~50%; every other group all "Y"
    assert [c.code for c in decide(service, Applicant()).conditions] == ["JA0201-JA0205"]
    poorest = decide(service, Applicant(income_band=1, region=None, age=40, sex=Sex.F))
    assert poorest.overall == "yes"
    second = by_code(decide(service, Applicant(income_band=2)))["JA0201-JA0205"]
    assert second.answer == "no" and second.reason == "중위소득 0~50% 대상: 입력한 소득 구간 중위소득 51~75%"


def test_group_all_y_is_no_restriction() -> None:
    service = catalog()["WLU000000020"]  # sex both, JA03xx all 17, JA04xx all 9
    anyone = Applicant(
        sex=Sex.M,
        age=30,
        income_band=1,
        statuses=frozenset({Status.FARMER}),
        household=frozenset({Household.NONE}),
    )
    decision = decide(service, anyone)
    assert {c.code for c in decision.conditions} == {"JA0201-JA0205"} and decision.overall == "yes"


def test_household_codes_한부모가족_임대주택() -> None:
    service = catalog()["138300000017"]  # JA0403 한부모/조손 and JA0412 무주택 only
    single_parent = Applicant(household=frozenset({Household.SINGLE_PARENT_OR_GRANDPARENT}))
    assert by_code(decide(service, single_parent))["JA0401-JA0414"].answer == "yes"
    nothing = by_code(decide(service, Applicant(household=frozenset({Household.NONE}))))["JA0401-JA0414"]
    assert nothing.answer == "no"
    # a household type not listed is not a denial of the listed ones
    other = Applicant(household=frozenset({Household.MULTI_CHILD}))
    assert by_code(decide(service, other))["JA0401-JA0414"].answer == "unknown"


def test_status_code_with_해당사항없음_cannot_exclude_other_statuses() -> None:
    service = catalog()["O00026100012"]  # JA0329 보훈 and JA0322 해당사항없음
    veteran = Applicant(statuses=frozenset({Status.VETERAN}))
    assert by_code(decide(service, veteran))["JA0301-JA0330"].answer == "yes"
    farmer = by_code(decide(service, Applicant(statuses=frozenset({Status.FARMER}))))["JA0301-JA0330"]
    assert farmer.answer == "unknown" and "목록에 없는 대상" in farmer.reason


def test_해당사항없음_alone_does_not_restrict() -> None:
    service = catalog()["569000000353"]  # 세종사랑상품권: JA0322 and JA0410 alone, 만 14세 이상
    assert {c.code for c in decide(service, Applicant()).conditions} == {"JA0110-JA0111", "text:region"}


def test_business_only_record_is_not_for_an_individual() -> None:
    for service_id in ("149200005012", "360000000257"):  # 고령자고용지원금 (기업 codes + 0–120), 소상공인
        service = catalog()[service_id]
        decision = decide(service, Applicant(age=40, income_band=1))
        assert decision.overall == "no", service_id
        (only,) = decision.conditions
        assert only.answer == "no" and only.reason.startswith("개인 대상 아님")


def test_business_codes_beside_personal_ones_are_ignored_for_an_individual() -> None:
    service = record({"JA0101": "Y", "JA0102": "Y", "JA0110": 19, "JA0111": 39, "JA2101": "Y"})
    decision = decide(service, Applicant(age=25))
    assert decision.overall == "yes" and [c.code for c in decision.conditions] == ["JA0110-JA0111"]


def test_sex_code_only_one_of_them() -> None:
    service = record({"JA0102": "Y"})
    assert decide(service, Applicant(sex=Sex.F)).overall == "yes"
    answer = decide(service, Applicant(sex=Sex.M)).conditions[0]
    assert (answer.answer, answer.reason) == ("no", "여성만 대상: 입력한 성별 남성")


def test_a_record_that_states_nothing_answers_unknown_not_yes() -> None:
    assert decide(record({}), Applicant(age=30)) == Decision("T1", "시험 서비스", "unknown", ())
