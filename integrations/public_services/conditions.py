"""The 보조금24 supportConditions code table and the applicant vocabulary derived from it.

``data/condition_codes.json`` (see ``data/SOURCES.md``) holds the 48 JA codes with their Korean 설명 and the group
each belongs to. The applicant's life stage / occupation / special status (``Status``) and household type
(``Household``) are exactly the table's JA03xx and JA04xx codes, each with a stable ASCII id; ``none`` is the
table's 해당사항없음 (JA0322, JA0410) and means "none of the listed ones".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal

CODES_FILE = "condition_codes.json"

Answer = Literal["yes", "no", "unknown"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unknown")

GroupName = Literal[
    "sex",
    "age",
    "income",
    "life_stage",
    "household",
    "business_status",
    "business_industry",
    "organisation_type",
    "organisation_industry",
]
# groups whose codes describe businesses or organisations, never a person
BUSINESS_GROUPS: frozenset[str] = frozenset(
    {"business_status", "business_industry", "organisation_type", "organisation_industry"}
)


@dataclass(frozen=True)
class ConditionCode:
    code: str
    label: str
    group: GroupName


@dataclass(frozen=True)
class CodeTable:
    codes: dict[str, ConditionCode]
    group_labels: dict[str, str]

    def group(self, name: str) -> tuple[ConditionCode, ...]:
        return tuple(c for c in self.codes.values() if c.group == name)

    def label(self, code: str) -> str:
        return self.codes[code].label


@cache
def load_code_table() -> CodeTable:
    """The shipped code table (read once from the package's data)."""
    raw = json.loads(
        resources.files("integrations.public_services").joinpath("data", CODES_FILE).read_text(encoding="utf-8")
    )
    codes = {row["code"]: ConditionCode(row["code"], row["label"], row["group"]) for row in raw["codes"]}
    return CodeTable(codes, dict(raw["groups"]))


class Sex(StrEnum):
    M = "M"  # JA0101 남성
    F = "F"  # JA0102 여성


SEX_CODES: dict[Sex, str] = {Sex.M: "JA0101", Sex.F: "JA0102"}


class Status(StrEnum):
    """Life stage, occupation or special status: the table's JA03xx codes."""

    PROSPECTIVE_PARENT = "prospective_parent"  # JA0301 예비부모/난임
    PREGNANT = "pregnant"  # JA0302 임산부
    BIRTH_OR_ADOPTION = "birth_or_adoption"  # JA0303 출산/입양
    FARMER = "farmer"  # JA0313 농업인
    FISHER = "fisher"  # JA0314 어업인
    LIVESTOCK_FARMER = "livestock_farmer"  # JA0315 축산업인
    FORESTER = "forester"  # JA0316 임업인
    ELEMENTARY_STUDENT = "elementary_student"  # JA0317 초등학생
    MIDDLE_SCHOOL_STUDENT = "middle_school_student"  # JA0318 중학생
    HIGH_SCHOOL_STUDENT = "high_school_student"  # JA0319 고등학생
    UNIVERSITY_STUDENT = "university_student"  # JA0320 대학생/대학원생
    NONE = "none"  # JA0322 해당사항없음
    EMPLOYEE = "employee"  # JA0326 근로자/직장인
    JOB_SEEKER = "job_seeker"  # JA0327 구직자/실업자
    DISABLED = "disabled"  # JA0328 장애인
    VETERAN = "veteran"  # JA0329 국가보훈대상자
    PATIENT = "patient"  # JA0330 질병/질환자


STATUS_CODES: dict[Status, str] = {
    Status.PROSPECTIVE_PARENT: "JA0301",
    Status.PREGNANT: "JA0302",
    Status.BIRTH_OR_ADOPTION: "JA0303",
    Status.FARMER: "JA0313",
    Status.FISHER: "JA0314",
    Status.LIVESTOCK_FARMER: "JA0315",
    Status.FORESTER: "JA0316",
    Status.ELEMENTARY_STUDENT: "JA0317",
    Status.MIDDLE_SCHOOL_STUDENT: "JA0318",
    Status.HIGH_SCHOOL_STUDENT: "JA0319",
    Status.UNIVERSITY_STUDENT: "JA0320",
    Status.NONE: "JA0322",
    Status.EMPLOYEE: "JA0326",
    Status.JOB_SEEKER: "JA0327",
    Status.DISABLED: "JA0328",
    Status.VETERAN: "JA0329",
    Status.PATIENT: "JA0330",
}


class Household(StrEnum):
    """Household type: the table's JA04xx codes."""

    MULTICULTURAL = "multicultural"  # JA0401 다문화가족
    NORTH_KOREAN_DEFECTOR = "north_korean_defector"  # JA0402 북한이탈주민
    SINGLE_PARENT_OR_GRANDPARENT = "single_parent_or_grandparent"  # JA0403 한부모가정/조손가정
    SINGLE_PERSON = "single_person"  # JA0404 1인가구
    NONE = "none"  # JA0410 해당사항없음
    MULTI_CHILD = "multi_child"  # JA0411 다자녀가구
    NON_HOMEOWNER = "non_homeowner"  # JA0412 무주택세대
    NEW_RESIDENT = "new_resident"  # JA0413 신규전입
    EXTENDED_FAMILY = "extended_family"  # JA0414 확대가족


HOUSEHOLD_CODES: dict[Household, str] = {
    Household.MULTICULTURAL: "JA0401",
    Household.NORTH_KOREAN_DEFECTOR: "JA0402",
    Household.SINGLE_PARENT_OR_GRANDPARENT: "JA0403",
    Household.SINGLE_PERSON: "JA0404",
    Household.NONE: "JA0410",
    Household.MULTI_CHILD: "JA0411",
    Household.NON_HOMEOWNER: "JA0412",
    Household.NEW_RESIDENT: "JA0413",
    Household.EXTENDED_FAMILY: "JA0414",
}

# 중위소득 bands 1..5 and the codes of the table (JA0201 0~50% … JA0205 200% 초과), with their % bounds
INCOME_BAND_CODES: dict[int, str] = {1: "JA0201", 2: "JA0202", 3: "JA0203", 4: "JA0204", 5: "JA0205"}
INCOME_BAND_BOUNDS: dict[int, tuple[int, int | None]] = {
    1: (0, 50),
    2: (50, 75),
    3: (75, 100),
    4: (100, 200),
    5: (200, None),
}

# condition ids (the ``code`` of a ConditionAnswer) of the coded groups
GROUP_CODE: dict[str, str] = {
    "sex": "JA0101-JA0102",
    "age": "JA0110-JA0111",
    "income": "JA0201-JA0205",
    "life_stage": "JA0301-JA0330",
    "household": "JA0401-JA0414",
    "business": "JA1101-JA2299",
}


def status_label(status: Status) -> str:
    return load_code_table().label(STATUS_CODES[status])


def household_label(household: Household) -> str:
    return load_code_table().label(HOUSEHOLD_CODES[household])


def vocabulary() -> dict[str, dict[str, str]]:
    """Every value an applicant field accepts, id → Korean label (for the CLI's help and an HTTP schema)."""
    table = load_code_table()
    return {
        "sex": {s.value: table.label(SEX_CODES[s]) for s in Sex},
        "income_band": {str(b): table.label(code) for b, code in INCOME_BAND_CODES.items()},
        "household": {h.value: table.label(HOUSEHOLD_CODES[h]) for h in Household},
        "status": {s.value: table.label(STATUS_CODES[s]) for s in Status},
    }
