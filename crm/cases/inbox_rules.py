"""The rules of the 신문고 inbox on one complaint: who may work it, claim, release, answer, close, hand off,
and when it is overdue. Pure functions on ``Complaint``: no I/O; ``crm.cases.complaints`` loads and records.

Who may do what (the assigned center's agents and supervisors only; anyone else is told the complaint does
not exist):

- claim: an open complaint (received or claimed). An agent claims an unclaimed one, or one already theirs
  (nothing changes). A claim held by another agent is taken over only by a supervisor of the center (who may
  also claim it for another agent of the center); otherwise the holder or a supervisor releases it first.
- release: the holder or a supervisor; the complaint is received again.
- answer: the holder only, 1-4,000 characters. Answering again with the same text is the same answer; a
  different text after the answer is refused (the answer has gone to 국민신문고).
- close: an answered complaint, by the one who answered, the holder or a supervisor; closing twice is fine.
- hand off: an open complaint, by its holder, a supervisor, or any member when nobody holds it, to another
  center with a summary (1-4,000 characters). The assignment moves, the claim is dropped and the complaint is
  received at the new center; its 처리기한 stays (the deadline runs from the citizen's filing).
- overdue: still open (received or claimed) after its 처리기한.
"""

from __future__ import annotations

import datetime as dt

from crm.cases.complaint_records import OPEN_STATUSES, ComplaintStatus
from crm.cases.model import Complaint
from crm.errors import ComplaintNotFound
from kernel.actor import Actor, Role
from kernel.errors import DomainError, ValidationFailed

ANSWER_MAX = 4000
SUMMARY_MAX = 4000
BODY_MAX = 20000
WORKERS = frozenset({Role.AGENT, Role.SUPERVISOR})


class ComplaintClaimedByOther(DomainError):
    code = "complaint-claimed-by-other"


class ComplaintNotClaimed(DomainError):
    code = "complaint-not-claimed"


class ComplaintStateConflict(DomainError):
    code = "complaint-state-conflict"


def is_worker(actor: Actor, complaint: Complaint) -> bool:
    """An agent or supervisor of the center the complaint is assigned to."""
    return (
        actor.agent_id is not None
        and actor.role in WORKERS
        and complaint.assigned_center is not None
        and actor.center_code == complaint.assigned_center
    )


def ensure_worker(actor: Actor, complaint: Complaint) -> None:
    """Anyone else learns nothing: not even that the complaint exists."""
    if not is_worker(actor, complaint):
        raise ComplaintNotFound("해당 민원을 찾을 수 없습니다.", complaint_id=complaint.id)


def is_overdue(complaint: Complaint, now: dt.datetime) -> bool:
    return complaint.status in OPEN_STATUSES and complaint.due_at is not None and now > complaint.due_at


def _ensure_open(complaint: Complaint, action: str) -> None:
    if complaint.status not in OPEN_STATUSES:
        raise ComplaintStateConflict(
            f"이미 {_STATUS_KO[complaint.status]} 민원이라 {action}할 수 없습니다.",
            current=complaint.status.value,
        )


def claim(complaint: Complaint, actor: Actor, now: dt.datetime, agent_id: int | None = None) -> bool:
    """Claim for the actor (or, by a supervisor, for ``agent_id`` of the center, checked by the caller).
    Returns whether anything changed."""
    ensure_worker(actor, complaint)
    _ensure_open(complaint, "맡을")
    target = agent_id if agent_id is not None else actor.agent_id
    if target != actor.agent_id and actor.role is not Role.SUPERVISOR:
        raise ComplaintClaimedByOther("다른 상담사에게 배정하는 것은 감독자만 할 수 있습니다.")
    if complaint.status is ComplaintStatus.CLAIMED:
        if complaint.claimed_by == target:
            return False
        if actor.role is not Role.SUPERVISOR:
            raise ComplaintClaimedByOther(
                "다른 상담사가 처리 중인 민원입니다. 담당자나 감독자가 해제한 뒤에 맡을 수 있습니다.",
                claimed_by=complaint.claimed_by,
            )
    complaint.status = ComplaintStatus.CLAIMED
    complaint.claimed_by = target
    complaint.claimed_at = now
    return True


def release(complaint: Complaint, actor: Actor) -> bool:
    ensure_worker(actor, complaint)
    _ensure_open(complaint, "해제")
    if complaint.status is ComplaintStatus.RECEIVED:
        return False
    if complaint.claimed_by != actor.agent_id and actor.role is not Role.SUPERVISOR:
        raise ComplaintClaimedByOther("다른 상담사가 처리 중인 민원입니다.", claimed_by=complaint.claimed_by)
    complaint.status = ComplaintStatus.RECEIVED
    complaint.claimed_by = None
    complaint.claimed_at = None
    return True


def answer(complaint: Complaint, actor: Actor, now: dt.datetime, text: str) -> bool:
    ensure_worker(actor, complaint)
    if not 1 <= len(text) <= ANSWER_MAX:
        raise ValidationFailed(f"답변은 1자 이상 {ANSWER_MAX:,}자 이하로 입력해 주세요.", max_length=ANSWER_MAX)
    text = _trimmed(text)
    if complaint.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED):
        if complaint.answer == text and complaint.answered_by == actor.agent_id:
            return False
        raise ComplaintStateConflict("이미 답변한 민원입니다.", current=complaint.status.value)
    if complaint.status is not ComplaintStatus.CLAIMED:
        raise ComplaintNotClaimed("먼저 민원을 맡은 뒤에 답변할 수 있습니다.")
    if complaint.claimed_by != actor.agent_id:
        raise ComplaintClaimedByOther("민원을 맡은 상담사만 답변할 수 있습니다.", claimed_by=complaint.claimed_by)
    complaint.status = ComplaintStatus.ANSWERED
    complaint.answer = text
    complaint.answered_at = now
    complaint.answered_by = actor.agent_id
    return True


def close(complaint: Complaint, actor: Actor, now: dt.datetime) -> bool:
    ensure_worker(actor, complaint)
    if complaint.status is ComplaintStatus.CLOSED:
        return False
    if complaint.status is not ComplaintStatus.ANSWERED:
        raise ComplaintStateConflict("답변한 민원만 종결할 수 있습니다.", current=complaint.status.value)
    mine = actor.agent_id in (complaint.answered_by, complaint.claimed_by)
    if not mine and actor.role is not Role.SUPERVISOR:
        raise ComplaintClaimedByOther("답변한 상담사나 감독자만 종결할 수 있습니다.")
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_at = now
    return True


def hand_off(complaint: Complaint, actor: Actor, to_center: str, summary: str) -> str:
    """Move the complaint to ``to_center`` (its existence and activity checked by the caller); returns the
    summary as recorded."""
    ensure_worker(actor, complaint)
    _ensure_open(complaint, "이관")
    if not 1 <= len(summary) <= SUMMARY_MAX:
        raise ValidationFailed(f"이관 요약은 1자 이상 {SUMMARY_MAX:,}자 이하로 입력해 주세요.")
    summary = _trimmed(summary)
    if to_center == complaint.assigned_center:
        raise ValidationFailed("같은 센터로는 이관할 수 없습니다.", to_center=to_center)
    held_by_other = complaint.status is ComplaintStatus.CLAIMED and complaint.claimed_by != actor.agent_id
    if held_by_other and actor.role is not Role.SUPERVISOR:
        raise ComplaintClaimedByOther("다른 상담사가 처리 중인 민원입니다.", claimed_by=complaint.claimed_by)
    complaint.assigned_center = to_center
    complaint.handed_off_to = to_center
    complaint.status = ComplaintStatus.RECEIVED
    complaint.claimed_by = None
    complaint.claimed_at = None
    return summary


def _trimmed(text: str) -> str:
    """Surrounding whitespace dropped; text of whitespace only is kept as given (the API's documented rule is
    1-4,000 characters, and the console, not the store, asks for words)."""
    return text.strip() or text


_STATUS_KO = {
    ComplaintStatus.RECEIVED: "접수된",
    ComplaintStatus.CLAIMED: "처리 중인",
    ComplaintStatus.ANSWERED: "답변한",
    ComplaintStatus.CLOSED: "종결된",
    ComplaintStatus.HANDED_OFF: "이관된",
}
