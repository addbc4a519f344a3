"""Conditions stated by a record's 보조금24 supportConditions codes, answered for an applicant.

The group rule (``../shared/data/README.md``): all codes of a group "Y" = the group does not restrict; a subset =
only those; no code of the group = the record says nothing. Neither of the last two cases asks anything, so
they give no condition. Specifics:

- Age: JA0110 (from) and JA0111 (to), inclusive 만 나이; from ≤ 0 and to ≥ 120 (or absent) is no restriction.
- 해당사항없음 (JA0322, JA0410) in a service record means "people with none of the listed characteristics" —
  in practice the record's target is something the codes cannot name (수급자, 상품권 구매자 …). So a group whose
  only code is 해당사항없음 does not restrict, and a group of 해당사항없음 plus some codes answers yes for a
  person with one of those codes or with none of the list, and unknown for a person with only other listed
  characteristics (the codes do not say whether they exclude them).
- Without 해당사항없음, a subset is a requirement: yes if the person has one of the codes, no if the person has
  declared none of the list, unknown otherwise (characteristics not entered are not denied).
- Business-only: the record has codes of the table's business / organisation groups (JA11xx, JA12xx, JA21xx,
  JA22xx) and no personal code except, possibly, an age range that does not restrict (0–120, which the API
  fills in by default); an individual then gets "개인 대상 아님". Business codes next to personal ones are
  ignored for an individual (the service also serves people).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from integrations.public_services.applicant import Applicant, Check, ConditionAnswer
from integrations.public_services.conditions import (
    BUSINESS_GROUPS,
    GROUP_CODE,
    HOUSEHOLD_CODES,
    INCOME_BAND_BOUNDS,
    INCOME_BAND_CODES,
    SEX_CODES,
    STATUS_CODES,
    Answer,
    CodeTable,
    Household,
    Status,
    load_code_table,
)

Cond = Mapping[str, str | int]
NO_UPPER_AGE = 120
T = TypeVar("T", Status, Household)


def _present(cond: Cond, table: CodeTable, group: str) -> list[str]:
    return [c.code for c in table.group(group) if c.code in cond]


def is_business_only(cond: Cond) -> bool:
    """Business / organisation codes and no personal code (an age range of 0–120 says nothing, so it may stand)."""
    table = load_code_table()
    known = [code for code in cond if code in table.codes]
    personal = [code for code in known if table.codes[code].group not in BUSINESS_GROUPS]
    if len(personal) == len(known):
        return False
    return all(table.codes[code].group == "age" for code in personal) and _age_bounds(cond) is None


def business_answer(cond: Cond) -> ConditionAnswer:
    table = load_code_table()
    business = [code for code in sorted(cond) if code in table.codes and table.codes[code].group in BUSINESS_GROUPS]
    labels = ", ".join(table.label(code) for code in business)
    reason = f"개인 대상 아님: 지원조건이 소상공인·기업·단체 조건({labels})뿐임"
    return ConditionAnswer(GROUP_CODE["business"], "개인·사업자 구분", "no", reason)


def age_requirement(low: int, high: int | None) -> str:
    if high is not None and low == high:
        return f"만 {low}세"
    if high is None:
        return f"만 {low}세 이상"
    if low <= 0:
        return f"만 {high}세 이하"
    return f"만 {low}~{high}세"


def age_check(code: str, label: str, low: int, high: int | None, applicant: Applicant) -> Check:
    requirement = age_requirement(low, high)
    if applicant.age is None:
        return Check(code, label, requirement, "unknown", f"나이 조건 있음({requirement}): 나이를 입력하지 않음")
    inside = applicant.age >= low and (high is None or applicant.age <= high)
    answer: Answer = "yes" if inside else "no"
    return Check(code, label, requirement, answer, f"{requirement} 대상: 현재 만 {applicant.age}세")


def _age_bounds(cond: Cond) -> tuple[int, int | None] | None:
    """JA0110/JA0111 as (from, to or None), or None when they are absent or do not restrict (0–120)."""
    low, high = cond.get("JA0110"), cond.get("JA0111")
    low_n = low if isinstance(low, int) else 0
    high_n = high if isinstance(high, int) and high < NO_UPPER_AGE else None
    if low_n <= 0 and high_n is None:
        return None
    return low_n, high_n


def coded_age(cond: Cond, applicant: Applicant) -> Check | None:
    bounds = _age_bounds(cond)
    if bounds is None:
        return None
    return age_check(GROUP_CODE["age"], "나이", bounds[0], bounds[1], applicant)


def coded_sex(cond: Cond, table: CodeTable, applicant: Applicant) -> Check | None:
    present = _present(cond, table, "sex")
    if len(present) != 1:
        return None
    wanted = next(sex for sex, code in SEX_CODES.items() if code == present[0])
    requirement = f"{table.label(present[0])}만"
    code = GROUP_CODE["sex"]
    if applicant.sex is None:
        return Check(code, "성별", requirement, "unknown", f"성별 조건 있음({requirement}): 성별을 입력하지 않음")
    entered = table.label(SEX_CODES[applicant.sex])
    answer: Answer = "yes" if applicant.sex == wanted else "no"
    return Check(code, "성별", requirement, answer, f"{requirement} 대상: 입력한 성별 {entered}")


def band_requirement(bands: list[int], table: CodeTable) -> str:
    return ", ".join(table.label(INCOME_BAND_CODES[b]) for b in bands)


def coded_income(cond: Cond, table: CodeTable, applicant: Applicant) -> Check | None:
    bands = [band for band, code in INCOME_BAND_CODES.items() if code in cond]
    if not bands or len(bands) == len(INCOME_BAND_CODES):
        return None
    requirement = band_requirement(bands, table)
    code = GROUP_CODE["income"]
    if applicant.income_band is None:
        reason = f"소득 조건 있음({requirement}): 소득 구간을 입력하지 않음"
        return Check(code, "중위소득 구간", requirement, "unknown", reason)
    entered = table.label(INCOME_BAND_CODES[applicant.income_band])
    answer: Answer = "yes" if applicant.income_band in bands else "no"
    return Check(code, "중위소득 구간", requirement, answer, f"{requirement} 대상: 입력한 소득 구간 {entered}")


def band_bounds(band: int) -> tuple[int, int | None]:
    return INCOME_BAND_BOUNDS[band]


def trait_answer(accepted: frozenset[T], none_accepted: bool, entered: frozenset[T], none_value: T) -> Answer:
    """The group rule for a multi-valued characteristic (see the module docstring)."""
    if not entered:
        return "unknown"
    if entered == {none_value}:
        return "yes" if none_accepted else "no"
    if entered & accepted:
        return "yes"
    return "unknown"


def _trait_check(
    cond: Cond,
    table: CodeTable,
    group: str,
    codes: Mapping[T, str],
    none_value: T,
    entered: frozenset[T],
    entered_text: str,
) -> Check | None:
    present = set(_present(cond, table, group))
    none_code = codes[none_value]
    if not present or len(present) == len(codes) or present == {none_code}:
        return None
    accepted = frozenset(value for value, code in codes.items() if code in present and value != none_value)
    none_accepted = none_code in present
    names = ", ".join(table.label(codes[v]) for v in sorted(accepted, key=lambda v: codes[v]))
    requirement = f"{names} 또는 목록에 없는 대상" if none_accepted else names
    label = table.group_labels[group]
    answer = trait_answer(accepted, none_accepted, entered, none_value)
    if not entered:
        reason = f"{label} 조건 있음({requirement}): {label}을 입력하지 않음"
    elif entered == {none_value}:
        reason = f"{requirement} 대상: {label} 해당사항없음으로 입력"
    elif answer == "yes":
        reason = f"{requirement} 대상: 입력한 {label} {entered_text}"
    elif none_accepted:
        reason = f"{requirement} 대상: 입력한 {label} {entered_text} — 이 특성이 제외되는지 코드로는 알 수 없음"
    else:
        reason = f"{requirement} 대상: 입력한 {label} {entered_text} — 다른 특성 해당 여부는 입력하지 않음"
    return Check(GROUP_CODE[group], label, requirement, answer, reason)


def coded_statuses(cond: Cond, table: CodeTable, applicant: Applicant) -> Check | None:
    return _trait_check(
        cond, table, "life_stage", STATUS_CODES, Status.NONE, applicant.statuses, applicant.statuses_text()
    )


def coded_household(cond: Cond, table: CodeTable, applicant: Applicant) -> Check | None:
    return _trait_check(
        cond, table, "household", HOUSEHOLD_CODES, Household.NONE, applicant.household, applicant.household_text()
    )


def coded_checks(cond: Cond, applicant: Applicant) -> dict[str, Check]:
    """The coded conditions that restrict, by dimension (sex, age, income, life_stage, household)."""
    table = load_code_table()
    found = {
        "sex": coded_sex(cond, table, applicant),
        "age": coded_age(cond, applicant),
        "income": coded_income(cond, table, applicant),
        "life_stage": coded_statuses(cond, table, applicant),
        "household": coded_household(cond, table, applicant),
    }
    return {dimension: check for dimension, check in found.items() if check is not None}
