"""The 신문고 inbox's rules on one complaint (claim, release, answer, close, hand off, overdue), its 처리기한 by
the Korean calendar, and the maskers its text goes through."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.cases import inbox_rules as rules
from crm.cases.complaint_records import ComplaintStatus
from crm.cases.complaint_text import conservative_mask, mask_rrn
from crm.cases.inbox import shown_body
from crm.cases.model import Complaint
from crm.errors import ComplaintNotFound
from kernel.actor import Actor, Role
from kernel.calendar import SEOUL, WorkCalendar, to_seoul
from kernel.errors import ValidationFailed

NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
KIM = Actor("ACRC110", Role.AGENT, "kim", 1)
LEE = Actor("ACRC110", Role.AGENT, "lee", 2)
SUP = Actor("ACRC110", Role.SUPERVISOR, "sup", 3)
PARK = Actor("SEOUL120", Role.AGENT, "park", 4)
ANA = Actor("ACRC110", Role.ANALYST, "ana", 5)


def complaint(**changes: object) -> Complaint:
    c = Complaint(
        sinmungo_id="1AA-2603-0001",
        received_at=NOW - dt.timedelta(days=1),
        title="버스 배차",
        assigned_center="ACRC110",
        body="본문",
        due_at=NOW + dt.timedelta(days=5),
        id=7,
    )
    for name, value in changes.items():
        setattr(c, name, value)
    return c


def test_deadline_counts_working_days_across_chuseok_2026() -> None:
    """Received Friday 18 September 2026: 24-26 September are 추석 (no 대체공휴일 for a Saturday), so the 7th
    working day is Thursday 1 October, 18:00 Seoul."""
    received = dt.datetime(2026, 9, 18, 10, 0, tzinfo=SEOUL)
    due = WorkCalendar().add_working_days(received, 7)
    assert to_seoul(due) == dt.datetime(2026, 10, 1, 18, 0, tzinfo=SEOUL)
    # a temporary holiday (임시공휴일) declared in configuration pushes it one more day
    assert to_seoul(WorkCalendar([dt.date(2026, 9, 30)]).add_working_days(received, 7)).date() == dt.date(2026, 10, 2)
    # received on a Friday evening of an ordinary week: 7 working days is the Tuesday after next
    plain = dt.datetime(2026, 3, 6, 20, 0, tzinfo=SEOUL)
    assert to_seoul(WorkCalendar().add_working_days(plain, 7)).date() == dt.date(2026, 3, 17)


def test_claim_by_a_member_and_again_is_no_change() -> None:
    c = complaint()
    assert rules.claim(c, KIM, NOW) is True
    assert (c.status, c.claimed_by, c.claimed_at) == (ComplaintStatus.CLAIMED, 1, NOW)
    assert rules.claim(c, KIM, NOW + dt.timedelta(minutes=1)) is False
    assert c.claimed_at == NOW


def test_another_agent_needs_a_release_or_a_supervisor() -> None:
    c = complaint()
    rules.claim(c, KIM, NOW)
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.claim(c, LEE, NOW)
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.release(c, LEE)
    assert rules.claim(c, SUP, NOW, agent_id=2) is True and c.claimed_by == 2  # a supervisor reassigns
    assert rules.release(c, LEE) is True and c.status is ComplaintStatus.RECEIVED and c.claimed_by is None
    assert rules.release(c, LEE) is False
    assert rules.claim(c, KIM, NOW) is True
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.claim(c, KIM, NOW, agent_id=2)  # only a supervisor claims for someone else


@pytest.mark.parametrize("outsider", [PARK, ANA, Actor.system("x"), Actor("ACRC110", Role.ADMIN, "root", 9)])
def test_only_the_assigned_centers_agents_and_supervisors_see_it(outsider: Actor) -> None:
    c = complaint()
    for act in (
        lambda: rules.claim(c, outsider, NOW),
        lambda: rules.answer(c, outsider, NOW, "답변"),
        lambda: rules.hand_off(c, outsider, "NTS126", "요약"),
    ):
        with pytest.raises(ComplaintNotFound):
            act()
    assert c.status is ComplaintStatus.RECEIVED


def test_answer_needs_the_claim_and_text_and_is_idempotent() -> None:
    c = complaint()
    with pytest.raises(rules.ComplaintNotClaimed):
        rules.answer(c, KIM, NOW, "답변")
    rules.claim(c, KIM, NOW)
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.answer(c, LEE, NOW, "답변")
    for bad in ("", "가" * 4001):
        with pytest.raises(ValidationFailed):
            rules.answer(c, KIM, NOW, bad)
    assert rules.answer(c, KIM, NOW, "  안내드립니다.  ") is True
    assert (c.status, c.answer, c.answered_by, c.answered_at) == (ComplaintStatus.ANSWERED, "안내드립니다.", 1, NOW)
    assert rules.answer(c, KIM, NOW + dt.timedelta(hours=1), "안내드립니다.") is False
    assert c.answered_at == NOW
    with pytest.raises(rules.ComplaintStateConflict):
        rules.answer(c, KIM, NOW, "다른 답변")


def test_close_after_the_answer_by_the_answerer_or_a_supervisor() -> None:
    c = complaint()
    rules.claim(c, KIM, NOW)
    with pytest.raises(rules.ComplaintStateConflict):
        rules.close(c, KIM, NOW)
    rules.answer(c, KIM, NOW, "답변")
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.close(c, LEE, NOW)
    assert rules.close(c, SUP, NOW) is True and (c.status, c.closed_at) == (ComplaintStatus.CLOSED, NOW)
    assert rules.close(c, KIM, NOW) is False
    with pytest.raises(rules.ComplaintStateConflict):
        rules.claim(c, KIM, NOW)
    with pytest.raises(rules.ComplaintStateConflict):
        rules.hand_off(c, SUP, "NTS126", "요약")


def test_hand_off_moves_the_assignment_and_drops_the_claim() -> None:
    c = complaint()
    rules.claim(c, KIM, NOW)
    with pytest.raises(rules.ComplaintClaimedByOther):
        rules.hand_off(c, LEE, "NTS126", "세금 문의")
    with pytest.raises(ValidationFailed):
        rules.hand_off(c, KIM, "NTS126", "")
    with pytest.raises(ValidationFailed):
        rules.hand_off(c, KIM, "ACRC110", "요약")
    due = c.due_at
    assert rules.hand_off(c, KIM, "NTS126", " 종합소득세 관련 민원 ") == "종합소득세 관련 민원"
    assert (c.assigned_center, c.handed_off_to, c.status, c.claimed_by) == (
        "NTS126",
        "NTS126",
        ComplaintStatus.RECEIVED,
        None,
    )
    assert c.due_at == due, "the 처리기한 runs from the citizen's filing"
    with pytest.raises(ComplaintNotFound):
        rules.claim(c, KIM, NOW)  # gone from ACRC110


def test_unclaimed_complaint_any_member_hands_off() -> None:
    c = complaint()
    rules.hand_off(c, LEE, "SEOUL120", "교통 민원")
    assert c.assigned_center == "SEOUL120"


def test_overdue_is_open_past_the_deadline() -> None:
    c = complaint(due_at=NOW - dt.timedelta(seconds=1))
    assert rules.is_overdue(c, NOW)
    assert not rules.is_overdue(complaint(), NOW)
    assert not rules.is_overdue(complaint(due_at=NOW), NOW), "due at the instant is not yet late"
    rules.claim(c, KIM, NOW)
    assert rules.is_overdue(c, NOW)
    rules.answer(c, KIM, NOW, "답변")
    assert not rules.is_overdue(c, NOW)


def test_masks() -> None:
    text = "주민번호 900101-1234567, 연락처 010-1234-5678, 메일 hong@example.com, 계좌 110-123-456789, 2026년 3월 9일"
    masked = conservative_mask(text)
    for secret in ("900101", "1234567", "5678", "hong@", "456789"):
        assert secret not in masked
    assert "[주민등록번호]" in masked and "[전화번호]" in masked and "[이메일]" in masked
    assert "2026년 3월 9일" in masked, "dates are not personal data"
    assert conservative_mask(masked) == masked
    assert mask_rrn("9001011234567 그리고 900101-1******") == "[주민등록번호] 그리고 [주민등록번호]"
    assert mask_rrn("010-1234-5678") == "010-1234-5678"


def test_shown_body_masks_resident_numbers_for_everyone() -> None:
    c = complaint(body="연락처 010-1111-2222 주민 900101-1234567", body_masked="연락처 [전화번호] 주민 [주민등록번호]")
    assert shown_body(KIM, c) == "연락처 010-1111-2222 주민 [주민등록번호]"
    assert shown_body(PARK, c) == "연락처 [전화번호] 주민 [주민등록번호]"
