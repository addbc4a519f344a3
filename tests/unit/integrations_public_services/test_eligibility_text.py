"""Eligibility from a record's words: the regexes, text-only records, regions from agencies, codes/text disagreement."""

from __future__ import annotations

from functools import cache

import pytest

from integrations.public_services.catalog import Catalog, load_catalog
from integrations.public_services.conditions import Household
from integrations.public_services.eligibility import Applicant, ConditionAnswer, Decision, decide
from integrations.public_services.regions import InvalidRegion, Region, agency_region
from integrations.public_services.text_rules import (
    AgeRule,
    Ambiguous,
    IncomeRule,
    extract_age,
    extract_household,
    extract_income,
)


@cache
def catalog() -> Catalog:
    return load_catalog()


def by_code(decision: Decision) -> dict[str, ConditionAnswer]:
    return {c.code: c for c in decision.conditions}


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("○ 만 65세 이상 어르신", 65, None),
        ("65세이상 기초연금 수급자", 65, None),
        ("18세 미만의 자", 0, 17),
        ("만 18세 이하", 0, 18),
        ("19~34세 청년", 19, 34),
        ("청년(만19세~39세)", 19, 39),
        ("만 19세 이상 34세 이하", 19, 34),
        ("만20세 이상 ~ 70세 미만", 20, 69),
        ("만 6~18세 미만 아동", 6, 17),
        ("만 12세 ~ 만 24세", 12, 24),
        ("만 18세 초과 대학생", 19, None),
    ],
)
def test_age_limits_read_from_text(text: str, low: int, high: int | None) -> None:
    rule = extract_age("", text, None)
    assert isinstance(rule, AgeRule) and (rule.low, rule.high) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "만 8세 이하 자녀를 둔 부모",  # the child's age, not the applicant's
        "만 30세 미만 단독세대주는 제외",  # an exclusion
        "자녀가 만 8세 이하",
        "귀산촌한 지 만 5년",  # years, not an age
        "1~2세대 가구",
        "2024.1.1-2025세",
        "65세 이상 노인이 있는 가구",
    ],
)
def test_no_age_is_read_where_it_is_not_the_applicants(text: str) -> None:
    assert extract_age("", text, None) is None


def test_several_different_ages_are_ambiguous() -> None:
    found = extract_age("", "1. 보호자를 동반한 6세 이하의 어린이\n2. 65세 이상의 사람", None)
    assert isinstance(found, Ambiguous) and found.quotes == ("6세 이하", "65세 이상")


def test_income_limits_read_from_text() -> None:
    rule = extract_income("기준 중위소득 50% 이하 가구", None)
    assert isinstance(rule, IncomeRule) and (rule.percent, rule.inclusive) == (50, True)
    rule = extract_income(None, "중위소득 120%미만")
    assert isinstance(rule, IncomeRule) and (rule.percent, rule.inclusive) == (120, False)
    assert isinstance(extract_income("1순위 중위소득 50% 이하\n2순위 중위소득 120% 이하", None), Ambiguous)
    assert extract_income("기준중위소득 50~80% 내외", None) is None


def test_household_only_from_a_name_that_names_one() -> None:
    found = extract_household("저소득 한부모가족 지원(도비)")
    assert found is not None and found.household is Household.SINGLE_PARENT_OR_GRANDPARENT
    assert extract_household("다자녀·장애인 가정 수도요금 감면") is None  # a list of alternatives
    assert extract_household("한부모 다자녀 가정 지원") is None  # two household types
    assert extract_household("어르신 틀니 지원") is None


# --- text-only records ------------------------------------------------------------------------------------------


def test_text_only_age_정부24_영유아_건강검진() -> None:
    service = catalog()["374000000166"]  # 정부24: "6세 미만 영유아 건강검진 지원(장안구)", no codes
    assert not service.cond
    age = by_code(decide(service, Applicant(age=7)))["text:age"]
    assert age.answer == "no" and age.reason == '만 5세 이하 대상: 현재 만 7세 (글: "6세 미만")'
    assert by_code(decide(service, Applicant(age=3)))["text:age"].answer == "yes"


def test_text_only_household_정부24_한부모가족() -> None:
    service = catalog()["000000098910"]  # 정부24 "저소득 한부모가족 지원(도비)", 경기도 안성시
    single_parent = Applicant(
        household=frozenset({Household.SINGLE_PARENT_OR_GRANDPARENT}), region=Region.parse("경기 안성시")
    )
    decision = decide(service, single_parent)
    assert {c.code: c.answer for c in decision.conditions} == {"text:household": "yes", "text:region": "yes"}
    assert decision.overall == "yes"


def test_text_income_where_codes_are_silent_0세아_의료비() -> None:
    service = catalog()["316000000102"]  # codes: every income band; text: 기준중위소득 80%이하
    assert by_code(decide(service, Applicant(income_band=2)))["text:income"].answer == "yes"  # 51~75%
    straddles = by_code(decide(service, Applicant(income_band=3)))["text:income"]  # 76~100%: straddles 80%
    assert straddles.answer == "unknown" and "걸쳐" in straddles.reason
    # codes "no restriction" vs text 80%: the never-guess rule gives unknown, not no
    above = by_code(decide(service, Applicant(income_band=4)))["text:income"]
    assert above.answer == "unknown" and above.reason.startswith("코드와 글이 다름 — 코드: 제한 없음")


def test_ages_listed_as_alternatives_never_exclude() -> None:
    service = catalog()["300000000143"]  # 관람료 감면: "6세 이하 어린이", "65세 이상의 사람", … (no age codes)
    age = by_code(decide(service, Applicant(age=40)))["text:age"]
    assert age.answer == "unknown" and "여럿" in age.reason


# --- codes and text disagree ----------------------------------------------------------------------------------


def test_disagreement_codes_65_text_60_보훈명예수당() -> None:
    service = catalog()["382000000133"]  # codes JA0110 65; text "60세 이상 의정부시 주민등록된 국가보훈대상자"
    between = by_code(decide(service, Applicant(age=62)))["JA0110-JA0111"]
    assert between.answer == "unknown"
    assert (
        "만 65세 이상" in between.reason and "만 60세 이상" in between.reason and "코드와 글이 다름" in between.reason
    )
    assert by_code(decide(service, Applicant(age=70)))["JA0110-JA0111"].answer == "yes"  # both agree
    assert by_code(decide(service, Applicant(age=50)))["JA0110-JA0111"].answer == "no"


def test_disagreement_codes_18_and_over_text_18_and_under_아토피() -> None:
    service = catalog()["372000000105"]  # codes 18–120, text "만18세 이하"
    assert by_code(decide(service, Applicant(age=30)))["JA0110-JA0111"].answer == "unknown"
    assert by_code(decide(service, Applicant(age=10)))["JA0110-JA0111"].answer == "unknown"
    assert by_code(decide(service, Applicant(age=18)))["JA0110-JA0111"].answer == "yes"


def test_disagreement_income_codes_to_100_text_50_청년내일저축계좌() -> None:
    service = catalog()["135200005013"]  # codes bands 1–3; text "기준 중위소득 50% 이하"
    assert by_code(decide(service, Applicant(income_band=1)))["JA0201-JA0205"].answer == "yes"
    assert by_code(decide(service, Applicant(income_band=3)))["JA0201-JA0205"].answer == "unknown"
    assert by_code(decide(service, Applicant(income_band=4)))["JA0201-JA0205"].answer == "no"


# --- regions ----------------------------------------------------------------------------------------------------


def test_regions_parse_short_and_former_names() -> None:
    assert Region.parse("경기 수원시 영통구") == Region("경기도", ("수원시", "영통구"))
    assert Region.parse("강원도 춘천시").sido == "강원특별자치도"
    assert Region.parse("전라북도").sido == "전북특별자치도"
    for bad in ("수원시", "광주시", "서울 강남", ""):
        with pytest.raises(InvalidRegion):
            Region.parse(bad)


def test_agency_region_only_for_regional_governments() -> None:
    served = agency_region("경기도 수원시 복지여성국 장애인복지과")
    assert served is not None and served.name == "경기도 수원시"
    assert agency_region("경기도 수원시 장안구보건소 보건행정과") is not None
    education = agency_region("대구광역시교육청")
    assert education is not None and education.sidos == {"대구광역시"} and education.sigungu == ()
    merged = agency_region("전남광주통합특별시 동구")
    assert merged is not None and merged.contains(Region.parse("광주 동구")) is True
    for national in ("보건복지부", "용산구시설관리공단", "재단법인전북특별자치도평생교육장학진흥원", None):
        assert agency_region(national) is None


def test_region_no_only_where_the_text_requires_residence() -> None:
    residence = catalog()["382000000133"]  # 경기도 의정부시; text "의정부시 주민등록된"
    assert by_code(decide(residence, Applicant(region=Region.parse("서울 강남구"))))["text:region"].answer == "no"
    assert by_code(decide(residence, Applicant(region=Region.parse("경기 의정부시"))))["text:region"].answer == "yes"
    assert by_code(decide(residence, Applicant(region=Region.parse("경기"))))["text:region"].answer == "unknown"
    silent = catalog()["000000016710"]  # 정부24, 경기도 수원시, no residence words
    assert by_code(decide(silent, Applicant(region=Region.parse("서울"))))["text:region"].answer == "unknown"
    returning = catalog()["358000000113"]  # 귀농인 지원 (인천 옹진군): people move in from elsewhere
    far = by_code(decide(returning, Applicant(region=Region.parse("제주 제주시"))))["text:region"]
    assert far.answer == "unknown" and "귀농" in far.reason
