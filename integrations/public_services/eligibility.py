"""Eligibility: does an applicant meet the conditions a public-service record states?

``decide(service, applicant)`` is a pure function of the catalog record and what the agent entered; it reveals
nothing else about the citizen. Each condition is answered yes / no / unknown with a Korean reason; ``overall`` is
no if any condition is no, yes if there is at least one condition and every one is yes, otherwise unknown (a
record that states nothing we can check gives unknown, not yes). A yes means "meets every condition the record
states in codes, or that we read reliably from its text" — other requirements written in 선정기준 are not
checked.

Sources, per dimension (sex, age, income, life stage, household):
- the 보조금24 codes (``coded``), under the group rule;
- the record's own text (``text_rules``): age and 중위소득 limits, a household type named in the title.

When both speak (the codes restrict or state "no restriction", and the text gives one clear limit), they are
combined by the **never-guess rule**: the answer is the codes' answer if the text gives the same answer for this
applicant, otherwise unknown, and the reason quotes both ("코드와 글이 다름 — 코드: …; 글: …"). Codes that do not
restrict count as "no restriction", so a text limit the applicant fails gives unknown there, not no. A text the
regexes find ambiguous (several different limits), or a limit said in a list whose items may be alternatives
(bullet lines, a comma-separated line), is ignored where codes exist; where they do not, the first answers
unknown and the second can confirm (yes) but never exclude (unknown instead of no).

Region: when the 소관기관 is a regional government (``regions.agency_region``), a ``text:region`` condition
asks for residence there: yes inside; unknown when the entered region is not precise enough, or when the
record's text mentions people from elsewhere (귀농, 관외, 누구나 …) or does not mention residence (거주,
주민등록, 관내 …); no only when the applicant lives elsewhere and the text requires residence.

Business-only records (every code a business / organisation code) answer a single condition: no, "개인 대상 아님".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from integrations.public_services.applicant import Applicant, Check, ConditionAnswer, InvalidApplicant
from integrations.public_services.catalog import PublicService
from integrations.public_services.coded import (
    age_check,
    band_bounds,
    business_answer,
    coded_checks,
    is_business_only,
)
from integrations.public_services.conditions import (
    INCOME_BAND_CODES,
    Answer,
    Household,
    Sex,
    Status,
    household_label,
    load_code_table,
)
from integrations.public_services.regions import Region, agency_region
from integrations.public_services.text_rules import (
    AgeRule,
    Ambiguous,
    HouseholdRule,
    IncomeRule,
    extract_age,
    extract_household,
    extract_income,
    mentions_outsiders,
    mentions_residence,
)

__all__ = [
    "Applicant",
    "ConditionAnswer",
    "Decision",
    "Household",
    "InvalidApplicant",
    "Region",
    "Sex",
    "Status",
    "decide",
]

DIMENSIONS = ("sex", "age", "income", "life_stage", "household")
_DIMENSION_PREFIX = {"sex": ("JA0101", "JA0102"), "age": ("JA0110", "JA0111"), "income": ("JA02",)}
_DIMENSION_PREFIX |= {"life_stage": ("JA03",), "household": ("JA04",)}


def _present(cond: Mapping[str, object], dimension: str) -> bool:
    return any(code.startswith(_DIMENSION_PREFIX[dimension]) for code in cond)


@dataclass(frozen=True)
class Decision:
    service_id: str
    service_name: str
    overall: Answer
    conditions: tuple[ConditionAnswer, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "service_name": self.service_name,
            "overall": self.overall,
            "conditions": [
                {"code": c.code, "label": c.label, "answer": c.answer, "reason": c.reason} for c in self.conditions
            ],
        }


def overall_answer(conditions: tuple[ConditionAnswer, ...]) -> Answer:
    answers = {c.answer for c in conditions}
    if "no" in answers:
        return "no"
    if answers == {"yes"}:
        return "yes"
    return "unknown"


_LISTED = " — 글이 여러 대상을 나열하고 있어 다른 항목으로 해당될 수 있음"


def _listed(check: Check, listed: bool) -> Check:
    """A limit said in a list of alternatives can confirm eligibility, never exclude it."""
    if not (listed and check.answer == "no"):
        return check
    return Check(check.code, check.label, check.requirement, "unknown", check.reason + _LISTED)


def _text_age(rule: AgeRule, applicant: Applicant) -> Check:
    check = age_check("text:age", "나이(지원대상 글)", rule.low, rule.high, applicant)
    reason = f'{check.reason} (글: "{rule.quote}")'
    return _listed(Check(check.code, check.label, check.requirement, check.answer, reason), rule.in_list)


def _text_income(rule: IncomeRule, applicant: Applicant) -> Check:
    requirement = f"기준 중위소득 {rule.percent}% {'이하' if rule.inclusive else '미만'}"
    label = "중위소득(지원대상 글)"
    quote = f'(글: "{rule.quote}")'
    if applicant.income_band is None:
        reason = f"소득 조건 있음({requirement}): 소득 구간을 입력하지 않음 {quote}"
        return Check("text:income", label, requirement, "unknown", reason)
    low, high = band_bounds(applicant.income_band)
    answer: Answer = "unknown"
    if high is not None and (high <= rule.percent if rule.inclusive else high < rule.percent):
        answer = "yes"
    elif low >= rule.percent:
        answer = "no"
    entered = load_code_table().label(INCOME_BAND_CODES[applicant.income_band])
    straddles = " — 구간이 기준에 걸쳐 있어 알 수 없음" if answer == "unknown" else ""
    reason = f"{requirement} 대상: 입력한 소득 구간 {entered}{straddles} {quote}"
    return _listed(Check("text:income", label, requirement, answer, reason), rule.in_list)


def _text_household(rule: HouseholdRule, applicant: Applicant) -> Check:
    name = household_label(rule.household)
    requirement = f"{name}"
    label = "가구 유형(서비스명)"
    quote = f'(서비스명: "{rule.quote}")'
    entered = applicant.household
    answer: Answer = "unknown"
    if not entered:
        reason = f"가구 유형 조건 있음({requirement}): 가구 유형을 입력하지 않음 {quote}"
    elif rule.household in entered:
        answer, reason = "yes", f"{requirement} 대상: 입력한 가구 유형 {applicant.household_text()} {quote}"
    elif entered == {Household.NONE}:
        answer, reason = "no", f"{requirement} 대상: 가구 유형 해당사항없음으로 입력 {quote}"
    else:
        reason = f"{requirement} 대상: 입력한 가구 유형 {applicant.household_text()} — {name} 여부는 입력하지 않음"
    return Check("text:household", label, requirement, answer, reason)


def _ambiguous(code: str, label: str, what: str, found: Ambiguous) -> Check:
    quotes = ", ".join(f'"{q}"' for q in found.quotes)
    reason = f"지원대상 글에 {what} 조건이 여럿({quotes}): 직접 확인 필요"
    return Check(code, label, "여러 조건", "unknown", reason)


def _text_checks(service: PublicService, applicant: Applicant) -> dict[str, Check | Ambiguous]:
    """Text conditions by dimension; a listed or ambiguous limit is dropped where codes speak for the dimension."""
    found: dict[str, Check | Ambiguous] = {}
    cond = service.cond
    age = extract_age(service.name, service.target, service.criteria)
    if isinstance(age, AgeRule) and not (age.in_list and _present(cond, "age")):
        found["age"] = _text_age(age, applicant)
    elif isinstance(age, Ambiguous):
        found["age"] = age
    income = extract_income(service.target, service.criteria)
    if isinstance(income, IncomeRule) and not (income.in_list and _present(cond, "income")):
        found["income"] = _text_income(income, applicant)
    elif isinstance(income, Ambiguous):
        found["income"] = income
    household = extract_household(service.name)
    if household is not None:
        found["household"] = _text_household(household, applicant)
    return found


_AMBIGUOUS_LABELS = {
    "age": ("text:age", "나이(지원대상 글)", "나이"),
    "income": ("text:income", "중위소득(지원대상 글)", "소득"),
}


def combine(coded: Check | None, coded_present: bool, text: Check | None) -> Check | None:
    """The never-guess rule for one dimension (see the module docstring)."""
    if text is None:
        return coded
    if coded is None:
        if not coded_present or text.answer == "yes" or text.answer == "unknown":
            return text
        reason = f"코드와 글이 다름 — 코드: 제한 없음; 글: {text.reason}"
        return Check(text.code, text.label, text.requirement, "unknown", reason)
    if coded.requirement == text.requirement:
        return coded
    if coded.answer == text.answer:
        return Check(coded.code, coded.label, coded.requirement, coded.answer, f"{coded.reason}; 글: {text.reason}")
    reason = f"코드와 글이 다름 — 코드: {coded.reason}; 글: {text.reason}"
    return Check(coded.code, coded.label, coded.requirement, "unknown", reason)


def _region_check(service: PublicService, applicant: Applicant) -> Check | None:
    served = agency_region(service.agency)
    if served is None:
        return None
    requirement = f"{served.name} 주민"
    code, label = "text:region", "지역(소관기관)"
    if applicant.region is None:
        return Check(code, label, requirement, "unknown", f"지역 조건 있음({requirement}): 지역을 입력하지 않음")
    inside = served.contains(applicant.region)
    entered = f"입력한 지역 {applicant.region}"
    if inside is True:
        return Check(code, label, requirement, "yes", f"{requirement} 대상: {entered}")
    if inside is None:
        return Check(code, label, requirement, "unknown", f"{requirement} 대상: {entered} — 시·군·구를 입력하지 않음")
    texts = (service.name, service.purpose, service.target, service.criteria)
    outsiders = mentions_outsiders(*texts)
    if outsiders is not None:
        reason = f"{requirement} 대상: {entered} — 글에 '{outsiders}' 언급이 있어 다른 지역 주민도 해당될 수 있음"
        return Check(code, label, requirement, "unknown", reason)
    residence = mentions_residence(*texts)
    if residence is None:
        reason = f"{requirement} 대상: {entered} — 거주 요건이 글에 없어 다른 지역 주민 해당 여부를 알 수 없음"
        return Check(code, label, requirement, "unknown", reason)
    return Check(code, label, requirement, "no", f"{requirement} 대상(글: '{residence}'): {entered}")


def decide(service: PublicService, applicant: Applicant) -> Decision:
    """Answer every condition ``service`` states for ``applicant``."""
    cond = service.cond
    if is_business_only(cond):
        conditions: tuple[ConditionAnswer, ...] = (business_answer(cond),)
        return Decision(service.id, service.name, "no", conditions)
    coded = coded_checks(cond, applicant)
    texts = _text_checks(service, applicant)
    checks: list[Check] = []
    for dimension in DIMENSIONS:
        present = _present(cond, dimension)
        found = texts.get(dimension)
        text: Check | None = None
        if isinstance(found, Ambiguous):
            if not present:  # codes exist: an ambiguous text adds nothing to them
                text = _ambiguous(*_AMBIGUOUS_LABELS[dimension], found)
        else:
            text = found
        check = combine(coded.get(dimension), present, text)
        if check is not None:
            checks.append(check)
    region = _region_check(service, applicant)
    if region is not None:
        checks.append(region)
    conditions = tuple(check.as_answer() for check in checks)
    return Decision(service.id, service.name, overall_answer(conditions), conditions)
