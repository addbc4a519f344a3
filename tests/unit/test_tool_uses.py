"""Agents' tool uses (crm.cases.tool_uses): what a record keeps, what it refuses, and whose contact it may go on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import pytest

from crm.cases.model import Channel, Interaction
from crm.cases.tool_uses import SUMMARY_MAX, Outcome, Tool, ToolUse, record_tool_use
from crm.errors import Forbidden, InteractionClosed, InteractionNotFound
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import ValidationFailed

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
KIM = Actor(center_code="ACRC110", role=Role.AGENT, login="kim", agent_id=7)
LEE = Actor(center_code="ACRC110", role=Role.AGENT, login="lee", agent_id=8)


class _Interactions:
    def __init__(self, contacts: Sequence[Interaction]) -> None:
        self.contacts = {c.id: c for c in contacts}

    def get(self, interaction_id: int) -> Interaction | None:
        return self.contacts.get(interaction_id)


class _ToolUses:
    def __init__(self) -> None:
        self.rows: list[ToolUse] = []

    def add(self, use: ToolUse) -> None:
        self.rows.append(use)


class _Uow:
    """Only what ``record_tool_use`` touches: the contacts and the tool uses."""

    def __init__(self, *contacts: Interaction) -> None:
        self.interactions = _Interactions(contacts)
        self.tool_uses = _ToolUses()


def contact(iid: int, **kw: object) -> Interaction:
    fields: dict[str, object] = {"agent_id": 7, "case_id": 31, "citizen_id": 5, **kw}
    return Interaction(Channel.INBOUND_CALL, "SEOUL120", NOW - dt.timedelta(minutes=3), id=iid, **fields)  # type: ignore[arg-type]


ASKED: dict[str, object] = {
    "interaction_id": 1,
    "tool": Tool.PUBLIC_SERVICES,
    "action": "eligibility",
    "summary": "자격확인: 135200000002 (나이 67, 소득 2구간)",
    "outcome": Outcome.OK,
    "outcome_detail": "해당",
    "ref": "135200000002",
}


def record(uow: _Uow, *, actor: Actor = KIM, **kw: object) -> ToolUse:
    return record_tool_use(cast(UnitOfWork, uow), actor, NOW, **{**ASKED, **kw})  # type: ignore[arg-type]


def test_a_use_is_recorded_on_the_contact_its_case_and_citizen() -> None:
    uow = _Uow(contact(1))
    use = record(uow)
    assert uow.tool_uses.rows == [use]
    assert (use.interaction_id, use.case_id, use.citizen_id, use.center_code) == (1, 31, 5, "SEOUL120")
    assert (use.agent_id, use.at, use.tool, use.action, use.outcome) == (7, NOW, Tool.PUBLIC_SERVICES,
                                                                          "eligibility", Outcome.OK)  # fmt: skip
    assert (use.summary, use.outcome_detail, use.ref) == ("자격확인: 135200000002 (나이 67, 소득 2구간)", "해당",
                                                          "135200000002")  # fmt: skip


def test_a_contact_without_citizen_or_case_links_neither() -> None:
    uow = _Uow(contact(1, case_id=None, citizen_id=None))
    use = record(uow, tool="sms", action="send-link", summary="링크 문자", outcome="unavailable", ref=None)
    assert use.case_id is None and use.citizen_id is None
    assert use.tool is Tool.SMS and use.outcome is Outcome.UNAVAILABLE, "text values become the enums"


def test_only_the_agent_on_an_open_contact_may_record() -> None:
    uow = _Uow(contact(1), contact(2, completed_at=NOW))
    with pytest.raises(Forbidden):
        record(uow, actor=LEE)
    with pytest.raises(InteractionClosed):
        record(uow, interaction_id=2)
    with pytest.raises(InteractionNotFound):
        record(uow, interaction_id=3)
    assert uow.tool_uses.rows == []
    admin = Actor(center_code="ACRC110", role=Role.ADMIN, login="root", agent_id=9)
    assert record(uow, actor=admin).agent_id == 9


def test_long_text_is_cut_with_an_ellipsis_and_blanks_dropped() -> None:
    uow = _Uow(contact(1))
    use = record(uow, summary="  검색: " + "가" * 300, outcome_detail="나" * 201)
    assert len(use.summary) == SUMMARY_MAX and use.summary.startswith("검색: 가") and use.summary.endswith("…")
    assert len(use.outcome_detail) == 200 and use.outcome_detail == "나" * 199 + "…"
    exact = record(uow, summary="다" * 200)
    assert exact.summary == "다" * 200, "text at the limit is kept whole"


@pytest.mark.parametrize(
    "bad",
    [
        {"summary": "검색:\n어르신"},
        {"summary": "검색\x00"},
        {"outcome_detail": "12건\r"},
        {"summary": "\u202e상반된 글"},
        {"ref": "a" * 81},
        {"ref": "ab\tc"},
        {"action": "Send-Link"},
        {"action": "send link"},
        {"action": "search\n"},
        {"action": "a" * 31},
        {"action": "검색"},
        {"tool": "weather"},
        {"outcome": "maybe"},
    ],
)
def test_bad_input_is_refused_and_nothing_recorded(bad: dict[str, object]) -> None:
    uow = _Uow(contact(1))
    with pytest.raises(ValidationFailed):
        record_tool_use(cast(UnitOfWork, uow), KIM, NOW, **{**ASKED, **bad})  # type: ignore[arg-type]
    assert uow.tool_uses.rows == []


def test_a_ref_is_kept_whole_up_to_its_limit_and_blank_is_none() -> None:
    uow = _Uow(contact(1))
    assert record(uow, ref="M-" + "9" * 78).ref == "M-" + "9" * 78
    assert record(uow, ref="  ").ref is None
    assert record(uow, action="a" * 30).action == "a" * 30
