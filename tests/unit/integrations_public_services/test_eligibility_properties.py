"""Properties of ``decide`` over real catalog records and random applicants (hypothesis)."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.public_services.catalog import PublicService, load_catalog
from integrations.public_services.conditions import HOUSEHOLD_CODES, STATUS_CODES, Household, Sex, Status
from integrations.public_services.eligibility import Applicant, Decision, decide
from integrations.public_services.regions import Region

# which condition codes each applicant field can affect
AFFECTS = {
    "age": {"JA0110-JA0111", "text:age"},
    "sex": {"JA0101-JA0102"},
    "income_band": {"JA0201-JA0205", "text:income"},
    "statuses": {"JA0301-JA0330"},
    "household": {"JA0401-JA0414", "text:household"},
    "region": {"text:region"},
}
SPECIAL = ("382000000133", "372000000105", "135200005013", "316000000102", "300000000143", "374000000166",
           "000000098910", "138300000017", "O00026100012", "149200005012", "WLU000000020")  # fmt: skip


@cache
def services() -> tuple[PublicService, ...]:
    catalog = load_catalog()
    every_50th = list(catalog)[::50]
    return tuple(every_50th) + tuple(catalog[i] for i in SPECIAL)


REGIONS = [
    Region.parse(r) for r in ("경기 수원시 영통구", "경기", "서울 강남구", "경기 의정부시", "전남 담양군", "세종")
]


def traits(values: list[Any], none: Any) -> st.SearchStrategy[frozenset[Any]]:
    """Some of the listed values, or 해당사항없음 alone."""
    some = st.frozensets(st.sampled_from([v for v in values if v is not none]), max_size=3)
    return st.one_of(some, st.just(frozenset({none})))


applicants = st.builds(
    Applicant,
    age=st.none() | st.integers(0, 100),
    sex=st.none() | st.sampled_from(Sex),
    region=st.none() | st.sampled_from(REGIONS),
    income_band=st.none() | st.integers(1, 5),
    household=traits(list(Household), Household.NONE),
    statuses=traits(list(Status), Status.NONE),
)
service_choice = st.integers(0, 10_000).map(lambda i: services()[i % len(services())])


def _answers(decision: Decision) -> dict[str, str]:
    return {c.code: c.answer for c in decision.conditions}


@settings(max_examples=300, deadline=None)
@given(service=service_choice, applicant=applicants)
def test_overall_follows_the_conditions(service: PublicService, applicant: Applicant) -> None:
    decision = decide(service, applicant)
    answers = [c.answer for c in decision.conditions]
    if "no" in answers:
        assert decision.overall == "no"
    elif answers and all(a == "yes" for a in answers):
        assert decision.overall == "yes"
    else:
        assert decision.overall == "unknown"  # never yes while a condition is unknown, nor with no condition
    assert all(c.reason for c in decision.conditions)
    assert decision == decide(service, applicant)  # a pure function of record and input


@st.composite
def with_one_more(draw: st.DrawFn) -> tuple[PublicService, Applicant, Applicant, str]:
    """A record, an applicant and the same applicant with one more attribute entered.

    Added statuses / household types are drawn half the time from those the record's codes name, so that
    the interesting step (an entered value starts to match) happens often.
    """
    service = draw(service_choice)
    fields: dict[str, Any] = dict(vars(draw(applicants)))
    field = draw(st.sampled_from(sorted(AFFECTS)))
    if field in ("statuses", "household"):
        codes: dict[Any, str] = dict(STATUS_CODES) if field == "statuses" else dict(HOUSEHOLD_CODES)
        none: Any = Status.NONE if field == "statuses" else Household.NONE
        current = frozenset() if none in fields[field] else fields[field]  # 해당사항없음 takes no company
        addable = [v for v in codes if v is not none and v not in current]
        named = [v for v in addable if codes[v] in service.cond] or addable
        added = draw(st.sampled_from(named) | st.sampled_from(addable))
        before, after = dict(fields, **{field: current}), dict(fields, **{field: current | {added}})
    else:
        value = {
            "age": st.integers(0, 100),
            "sex": st.sampled_from(Sex),
            "income_band": st.integers(1, 5),
            "region": st.sampled_from(REGIONS),
        }[field]
        before, after = dict(fields, **{field: None}), dict(fields, **{field: draw(value)})
    return service, Applicant(**before), Applicant(**after), field


@settings(max_examples=400, deadline=None)
@given(case=with_one_more())
def test_entering_more_never_turns_a_no_into_anything_else(
    case: tuple[PublicService, Applicant, Applicant, str],
) -> None:
    service, before, after, field = case
    old, new = decide(service, before), decide(service, after)
    old_answers, new_answers = _answers(old), _answers(new)
    assert old_answers.keys() == new_answers.keys()  # the record decides which conditions there are
    for code, answer in old_answers.items():
        if code not in AFFECTS[field]:
            assert new_answers[code] == answer, code  # other conditions do not move at all
        elif answer == "no":
            assert new_answers[code] == "no", code
        elif answer == "yes":
            assert new_answers[code] != "no", code
    if old.overall == "no":
        assert new.overall == "no"
