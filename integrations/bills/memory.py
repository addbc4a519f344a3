"""An in-memory bill ledger that honours the port, and the demo ledger ``sori up`` serves until the real one is
configured. Its clock is injected (``today``: a date or a function giving one), so every answer is
deterministic in tests; its resend outbox is a list a test (or a demo sender) moves along."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from integrations.bills.demo import DEMO_TODAY, demo_channels, demo_records
from integrations.bills.model import Channel, Notice, NoticeRecord, Status, WorkingDays
from integrations.bills.outbox import Resend, ResendRequest, ResendStatus, key_is_valid
from integrations.bills.port import (
    Bill,
    BillLedgerUnavailable,
    ChannelNotOnFile,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    NoticeNotFound,
)
from kernel.calendar import WorkCalendar


class InMemoryBillLedger:
    """Notices keyed by citizen; ``channels`` are the citizen's channels on file (by default the channels they
    chose on their notices); ``available`` False simulates an outage (every method raises)."""

    def __init__(
        self,
        notices: Iterable[tuple[str, NoticeRecord]] = (),
        *,
        today: dt.date | Callable[[], dt.date] = DEMO_TODAY,
        channels: Mapping[str, Iterable[Channel]] | None = None,
        calendar: WorkingDays | None = None,
        available: bool = True,
    ) -> None:
        self._clock: Callable[[], dt.date] = today if callable(today) else (lambda: today)
        self._calendar = calendar or WorkCalendar()
        self._records: dict[str, dict[str, NoticeRecord]] = {}
        for ref, record in notices:
            mine = self._records.setdefault(ref, {})
            if record.id in mine:
                raise ValueError(f"notice {record.id!r} given twice for one citizen")
            mine[record.id] = record
        if channels is None:
            channels = {ref: {r.notice_channel for r in mine.values()} for ref, mine in self._records.items()}
        self._channels = {ref: frozenset(on_file) for ref, on_file in channels.items()}
        self._resends: dict[str, Resend] = {}  # by id, in the order made
        self._by_key: dict[str, tuple[ResendRequest, str]] = {}
        self.available = available

    @property
    def today(self) -> dt.date:
        return self._clock()

    def _check(self) -> None:
        if not self.available:
            raise BillLedgerUnavailable("bill ledger unavailable")

    def _record(self, citizen_ref: str, notice_id: str) -> NoticeRecord:
        record = self._records.get(citizen_ref, {}).get(notice_id)
        if record is None:
            raise NoticeNotFound(notice_id)
        return record

    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        open_ = [n for n in self.notices(citizen_ref) if n.kind == bill_kind and n.is_open]
        if not open_:
            return None
        first = open_[0]  # notices() are by due date: the most pressing one
        return Bill(first.kind, first.amount_due_won, first.record.due)

    def notices(self, citizen_ref: str, *, status: Status | None = None) -> list[Notice]:
        self._check()
        today = self.today
        found = [r.as_of(today, self._calendar) for r in self._records.get(citizen_ref, {}).values()]
        found.sort(key=lambda n: (n.record.due, n.id))
        return [n for n in found if status is None or n.status is status]

    def notice(self, citizen_ref: str, notice_id: str) -> Notice | None:
        self._check()
        record = self._records.get(citizen_ref, {}).get(notice_id)
        return record.as_of(self.today, self._calendar) if record else None

    def resend(self, citizen_ref: str, notice_id: str, channel: Channel | None, idempotency_key: str) -> Resend:
        self._check()
        if not key_is_valid(idempotency_key):
            raise IdempotencyKeyInvalid()
        record = self._record(citizen_ref, notice_id)
        request = ResendRequest(citizen_ref, notice_id, channel or record.notice_channel)
        if idempotency_key in self._by_key:
            first_request, resend_id = self._by_key[idempotency_key]
            if first_request != request:
                raise IdempotencyKeyReused(idempotency_key)
            return self._resends[resend_id]
        if request.channel not in self._channels.get(citizen_ref, frozenset()):
            raise ChannelNotOnFile(request.channel)
        resend = Resend(f"RS-{len(self._resends) + 1:06d}", notice_id, request.channel, idempotency_key, self.today)
        self._resends[resend.id] = resend
        self._by_key[idempotency_key] = (request, resend.id)
        return resend

    def resends(self, citizen_ref: str, notice_id: str) -> list[Resend]:
        self._check()
        self._record(citizen_ref, notice_id)
        mine = {resend_id for request, resend_id in self._by_key.values() if request.citizen_ref == citizen_ref}
        return [r for r in self._resends.values() if r.id in mine and r.notice_id == notice_id]

    # The sender's side (not the port): what is waiting to be sent, and moving a resend along.

    def outbox(self) -> list[Resend]:
        """The resends still queued, oldest first."""
        return [r for r in self._resends.values() if r.status is ResendStatus.QUEUED]

    def advance(self, resend_id: str, status: ResendStatus) -> Resend:
        """Record a delivery step the sender reports (``ValueError`` for a step the outbox does not allow)."""
        resend = self._resends[resend_id].moved_to(status)
        self._resends[resend_id] = resend
        return resend


def demo_bill_ledger(today: dt.date | Callable[[], dt.date] = DEMO_TODAY) -> InMemoryBillLedger:
    """The demo citizens' notices (``integrations.bills.demo``) as of ``today`` (by default ``DEMO_TODAY``, the
    day the demo data describes: every even demo citizen then owes 종합소득세, 부가가치세 and 자동차세)."""
    return InMemoryBillLedger(demo_records(), today=today, channels=demo_channels())
