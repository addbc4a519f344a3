"""What an agent enters about the person a service would benefit, and the answer to one condition.

Every field is optional; nothing entered means "not asked", never "no". ``statuses`` and ``household`` list the
characteristics the person has; a characteristic not listed is unknown, not denied. ``{Status.NONE}`` /
``{Household.NONE}`` (the code table's 해당사항없음) say the person has none of the listed ones and cannot be
combined with another value. The applicant describes the beneficiary (대상자): for a child's service, the child.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.public_services.conditions import Answer, Household, Sex, Status, household_label, status_label
from integrations.public_services.regions import Region
from kernel.errors import ValidationFailed

MAX_AGE = 150


class InvalidApplicant(ValidationFailed):
    code = "invalid-applicant"


@dataclass(frozen=True)
class Applicant:
    age: int | None = None  # 만 나이
    sex: Sex | None = None
    region: Region | None = None
    income_band: int | None = None  # 1..5: the code table's 중위소득 bands (JA0201..JA0205)
    household: frozenset[Household] = frozenset()
    statuses: frozenset[Status] = frozenset()

    def __post_init__(self) -> None:
        if self.age is not None and not 0 <= self.age <= MAX_AGE:
            raise InvalidApplicant(f"나이는 0~{MAX_AGE} 사이여야 함: {self.age}", age=self.age)
        if self.income_band is not None and self.income_band not in range(1, 6):
            raise InvalidApplicant(f"소득 구간은 1~5 중 하나여야 함: {self.income_band}", income_band=self.income_band)
        if Household.NONE in self.household and len(self.household) > 1:
            raise InvalidApplicant("가구 유형 '해당사항없음'은 다른 유형과 함께 쓸 수 없음")
        if Status.NONE in self.statuses and len(self.statuses) > 1:
            raise InvalidApplicant("특성 '해당사항없음'은 다른 특성과 함께 쓸 수 없음")

    def household_text(self) -> str:
        return ", ".join(household_label(h) for h in sorted(self.household))

    def statuses_text(self) -> str:
        return ", ".join(status_label(s) for s in sorted(self.statuses))


@dataclass(frozen=True)
class ConditionAnswer:
    """One condition of a service, answered for the applicant.

    ``code``: the JA code group (e.g. "JA0110-JA0111") or a ``text:…`` id for a condition read from the record's
    text or agency; ``label``: Korean name of the condition; ``answer``: yes/no/unknown; ``reason``: Korean,
    naming the requirement and what was entered.
    """

    code: str
    label: str
    answer: Answer
    reason: str


@dataclass(frozen=True)
class Check:
    """A condition as one source (codes, text or agency) states it, before sources are combined."""

    code: str
    label: str
    requirement: str  # e.g. "만 65세 이상"
    answer: Answer
    reason: str

    def as_answer(self) -> ConditionAnswer:
        return ConditionAnswer(self.code, self.label, self.answer, self.reason)
