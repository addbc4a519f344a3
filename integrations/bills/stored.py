"""The bill ledger the reference service plays (``sori refsvc``): notices read from an in-memory ledger, resends
kept in the service's SQLite store, so a restart loses no resend already accepted and a repeated idempotency
key keeps answering its first resend.

It honours the port exactly as ``InMemoryBillLedger`` does (the contract suite runs both): the same checks in
the same order, one resend per key, the same key with another request refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Mapping

from integrations.bills.memory import InMemoryBillLedger
from integrations.bills.model import Channel, Notice, NoticeRecord, Status
from integrations.bills.outbox import Resend, ResendStatus, key_is_valid
from integrations.bills.port import Bill, ChannelNotOnFile, IdempotencyKeyInvalid, IdempotencyKeyReused, NoticeNotFound

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS bills_resends (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        citizen_ref TEXT NOT NULL,
        notice_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        requested_on TEXT NOT NULL,
        status TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS bills_resends_by_notice ON bills_resends (citizen_ref, notice_id, seq)",
)
_COLUMNS = "id, notice_id, channel, idempotency_key, requested_on, status"


def _resend(row: tuple[str, str, str, str, str, str]) -> Resend:
    id_, notice_id, channel, key, requested_on, status = row
    return Resend(id_, notice_id, Channel(channel), key, dt.date.fromisoformat(requested_on), ResendStatus(status))


class StoredBillLedger:
    """``notices`` and ``channels`` as ``InMemoryBillLedger`` takes them; resends in ``store``'s tables.

    ``notices`` may be a function of the day (the demo's notices, anchored to today): the ledger then builds them
    afresh when ``today()`` moves on, so a service running past midnight answers as one started today would."""

    def __init__(
        self,
        store: sqlite3.Connection,
        notices: Iterable[tuple[str, NoticeRecord]] | Callable[[dt.date], Iterable[tuple[str, NoticeRecord]]],
        *,
        today: Callable[[], dt.date],
        channels: Mapping[str, Iterable[Channel]],
    ) -> None:
        self.store = store
        self.today = today
        self._on = notices if callable(notices) else None
        self._day = today()
        records = self._on(self._day) if self._on is not None else notices
        assert not callable(records)
        self._ledger = InMemoryBillLedger(records, today=today, channels=channels)
        self._channel_lists = channels
        self._channels = {ref: frozenset(on_file) for ref, on_file in channels.items()}
        for statement in SCHEMA:
            store.execute(statement)

    @property
    def _notices(self) -> InMemoryBillLedger:
        if self._on is not None and self.today() != self._day:
            day = self.today()
            self._ledger = InMemoryBillLedger(self._on(day), today=self.today, channels=self._channel_lists)
            self._day = day
        return self._ledger

    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        return self._notices.lookup_bill(citizen_ref, bill_kind)

    def notices(self, citizen_ref: str, *, status: Status | None = None) -> list[Notice]:
        return self._notices.notices(citizen_ref, status=status)

    def notice(self, citizen_ref: str, notice_id: str) -> Notice | None:
        return self._notices.notice(citizen_ref, notice_id)

    def _notice(self, citizen_ref: str, notice_id: str) -> Notice:
        """The citizen's notice; ``NoticeNotFound`` for an unknown one and for another citizen's alike."""
        found = self._notices.notice(citizen_ref, notice_id)
        if found is None:
            raise NoticeNotFound(notice_id)
        return found

    def resend(self, citizen_ref: str, notice_id: str, channel: Channel | None, idempotency_key: str) -> Resend:
        return self.resend_once(citizen_ref, notice_id, channel, idempotency_key)[0]

    def resend_once(
        self, citizen_ref: str, notice_id: str, channel: Channel | None, idempotency_key: str
    ) -> tuple[Resend, bool]:
        """The resend and whether it was made before (a repeated key): the reference answers 200 rather than 201."""
        if not key_is_valid(idempotency_key):
            raise IdempotencyKeyInvalid()
        notice = self._notice(citizen_ref, notice_id)  # NoticeNotFound, whatever the channel asked
        chosen = channel or notice.record.notice_channel
        known = self.store.execute(
            f"SELECT citizen_ref, {_COLUMNS} FROM bills_resends WHERE idempotency_key = ?", (idempotency_key,)
        ).fetchone()
        if known is not None:
            if (known[0], known[2], known[3]) != (citizen_ref, notice_id, str(chosen)):
                raise IdempotencyKeyReused(idempotency_key)
            return _resend(known[1:]), True
        if chosen not in self._channels.get(citizen_ref, frozenset()):
            raise ChannelNotOnFile(chosen)
        with self.store:  # one transaction: the number and the row together
            self.store.execute("BEGIN IMMEDIATE")
            (last,) = self.store.execute("SELECT COALESCE(MAX(seq), 0) FROM bills_resends").fetchone()
            resend = Resend(f"RS-{last + 1:06d}", notice_id, chosen, idempotency_key, self.today())
            self.store.execute(
                "INSERT INTO bills_resends (seq, id, citizen_ref, notice_id, channel, idempotency_key, requested_on,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (last + 1, resend.id, citizen_ref, notice_id, str(chosen), idempotency_key,
                 resend.requested_on.isoformat(), str(resend.status)),
            )  # fmt: skip
        return resend, False

    def resends(self, citizen_ref: str, notice_id: str) -> list[Resend]:
        self._notice(citizen_ref, notice_id)
        rows = self.store.execute(
            f"SELECT {_COLUMNS} FROM bills_resends WHERE citizen_ref = ? AND notice_id = ? ORDER BY seq",
            (citizen_ref, notice_id),
        ).fetchall()
        return [_resend(row) for row in rows]
