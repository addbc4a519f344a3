"""Conditions read from a record's own words: age and 중위소득 limits, a household type named in the title.

Only what the regexes read unambiguously is extracted; everything else stays unsaid (never guessed):

- Age ("만 65세 이상", "18세 미만", "19~34세", "만 19세 이상 34세 이하") from the name, 지원대상 and 선정기준.
  Mentions about someone else (followed by 자녀 / 아동을 둔 / 부양 / 동거 …, e.g. "만 8세 이하 자녀를 둔 부모")
  are skipped. One distinct limit → a rule; several different limits ("성인 … 소아 만 18세 미만") → ambiguous.
- 중위소득 ("기준 중위소득 50% 이하", "중위소득 120%미만") from 지원대상 and 선정기준; several different
  percentages → ambiguous.
- Household type from the service name only, when the name names exactly one (한부모, 조손, 다자녀, 다문화,
  북한이탈주민/탈북, 1인가구, 무주택) and lists nothing else ("·", ",", "및", "/", "등", "또는" in the name make
  it a list of alternatives, so nothing is extracted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from integrations.public_services.conditions import Household

_NUM = r"(?<!\d)(\d{1,3})"
_DASH = r"(?:~|∼|〜|-|－|부터)"
_AGE_RANGE = re.compile(rf"(?:만\s*)?{_NUM}\s*세?\s*{_DASH}\s*(?:만\s*)?{_NUM}\s*세(?!대|\s*초과)\s*(미만)?")
_AGE_BETWEEN = re.compile(rf"(?:만\s*)?{_NUM}\s*세\s*이상\s*(?:~|,)?\s*(?:만\s*)?{_NUM}\s*세\s*(이하|미만)(?!대)")
_AGE_ONE = re.compile(rf"(?:만\s*)?{_NUM}\s*세\s*(이상|이하|미만|초과)")
# words right after an age that make it someone else's (a child, a parent, a household member)
_OTHER_PERSON_AFTER = re.compile(
    r"^[^\n.。]{0,12}?(자녀|손자녀|아동을|아동이|아이를|아이가|영유아를|를\s*둔|을\s*둔|양육|부양|동거|모시|함께|가구원|세대원|부모|배우자|보호자|있는\s*가구|있는\s*세대|포함|제외|불가|제한)"
)
_OTHER_PERSON_BEFORE = re.compile(r"(자녀|자녀가|손자녀|부모|배우자|가구원|세대원|보호자)\s*(?:가|이|의|는)?\s*$")

# a line opening with a bullet: two or more of them make the text a list whose items may be alternatives
_BULLET = re.compile(r"^\s*(?:[-○●◦•·ㆍ*※▶▪■□◎①②③④⑤⑥⑦⑧⑨]|\d+[.)]|[가-하][.)])", re.M)
_INLINE_LIST = re.compile(r"[,/·ㆍ∙]|\s및\s|또는")
_INCOME = re.compile(r"중위\s*소득\s*(?:의\s*)?(\d{2,3})\s*%\s*(이하|미만|이내)")

_HOUSEHOLD_WORDS: tuple[tuple[re.Pattern[str], Household], ...] = (
    (re.compile(r"한부모|조손"), Household.SINGLE_PARENT_OR_GRANDPARENT),
    (re.compile(r"다자녀"), Household.MULTI_CHILD),
    (re.compile(r"다문화"), Household.MULTICULTURAL),
    (re.compile(r"북한이탈주민|탈북"), Household.NORTH_KOREAN_DEFECTOR),
    (re.compile(r"1인\s*가구"), Household.SINGLE_PERSON),
    (re.compile(r"무주택"), Household.NON_HOMEOWNER),
)
_LIST_MARKS = re.compile(r"[·ㆍ∙•,/]|및|등|또는")


@dataclass(frozen=True)
class AgeRule:
    low: int  # inclusive 만 나이; 0 = no lower limit
    high: int | None  # inclusive; None = no upper limit
    quote: str
    in_list: bool = False  # said in a list whose items may be alternatives: it can confirm, never exclude


@dataclass(frozen=True)
class IncomeRule:
    percent: int
    inclusive: bool  # 이하/이내 vs 미만
    quote: str
    in_list: bool = False


@dataclass(frozen=True)
class Ambiguous:
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class HouseholdRule:
    household: Household
    quote: str


def _about_someone_else(text: str, start: int, end: int) -> bool:
    return bool(_OTHER_PERSON_AFTER.match(text[end:]) or _OTHER_PERSON_BEFORE.search(text[max(0, start - 8) : start]))


def _age_mentions(text: str) -> list[AgeRule]:
    rules: list[AgeRule] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    for m in _AGE_BETWEEN.finditer(text):
        low, high = int(m[1]), int(m[2]) - (1 if m[3] == "미만" else 0)
        taken.append(m.span())
        if low <= high and not _about_someone_else(text, *m.span()):
            rules.append(AgeRule(low, high, m[0].strip()))
    for m in _AGE_RANGE.finditer(text):
        if not free(m):
            continue
        taken.append(m.span())
        low, high = int(m[1]), int(m[2]) - (1 if m[3] else 0)
        if low < high and not _about_someone_else(text, *m.span()):
            rules.append(AgeRule(low, high, m[0].strip()))
    for m in _AGE_ONE.finditer(text):
        if not free(m) or _about_someone_else(text, *m.span()):
            continue
        age, how = int(m[1]), m[2]
        bounds = {"이상": (age, None), "초과": (age + 1, None), "이하": (0, age), "미만": (0, age - 1)}[how]
        rules.append(AgeRule(bounds[0], bounds[1], m[0].strip()))
    return rules


def _texts(*parts: str | None) -> str:
    unique: list[str] = []
    for part in parts:  # 지원대상 and 선정기준 often repeat each other word for word
        if part and part not in unique:
            unique.append(part)
    return "\n".join(unique)


def in_list(text: str, quote: str) -> bool:
    """Whether ``quote`` sits in a list of possibly alternative items (bullet lines, or a comma-separated line)."""
    if len(_BULLET.findall(text)) >= 2:
        return True
    start = text.find(quote)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return bool(_INLINE_LIST.search(line))


def extract_age(name: str, target: str | None, criteria: str | None) -> AgeRule | Ambiguous | None:
    mentions = _age_mentions(_texts(name, target, criteria))
    distinct = {(r.low, r.high): r for r in mentions}
    if not distinct:
        return None
    if len(distinct) == 1:
        rule = next(iter(distinct.values()))
        body = _texts(target, criteria)
        return AgeRule(rule.low, rule.high, rule.quote, rule.quote in body and in_list(body, rule.quote))
    return Ambiguous(tuple(r.quote for r in distinct.values()))


def extract_income(target: str | None, criteria: str | None) -> IncomeRule | Ambiguous | None:
    body = _texts(target, criteria)
    found = {
        (int(m[1]), m[2] != "미만"): IncomeRule(int(m[1]), m[2] != "미만", m[0], in_list(body, m[0]))
        for m in _INCOME.finditer(body)
    }
    if not found:
        return None
    if len(found) == 1:
        return next(iter(found.values()))
    return Ambiguous(tuple(r.quote for r in found.values()))


def extract_household(name: str) -> HouseholdRule | None:
    if _LIST_MARKS.search(name):
        return None
    hits = [(m, household) for pattern, household in _HOUSEHOLD_WORDS for m in [pattern.search(name)] if m]
    if len({household for _, household in hits}) != 1:
        return None
    return HouseholdRule(hits[0][1], hits[0][0][0])


_MOBILE = re.compile(
    r"관외|타\s*지역|타\s*시[·ㆍ]?도|주소지\s*(?:와|에)?\s*(?:상관|무관)|상관\s*없이|상관없이|무관하게|자매결연|전입\s*예정|"
    r"귀농|귀촌|귀어|이주|외지|누구나|전국|관광객|방문객"
)
_RESIDENT = re.compile(r"거주|주민등록|관내|주소를\s*둔|주소지를\s*둔|주소지가")


def mentions_outsiders(*texts: str | None) -> str | None:
    """The first word saying people from elsewhere may apply (귀농, 관외, 누구나 …), if any."""
    m = _MOBILE.search(_texts(*texts))
    return m[0] if m else None


def mentions_residence(*texts: str | None) -> str | None:
    """The first word requiring residence (거주, 주민등록, 관내 …), if any."""
    m = _RESIDENT.search(_texts(*texts))
    return m[0] if m else None
