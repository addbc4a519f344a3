"""The port: what Sori asks of a bill ledger (국세·지방세·4대보험·자동차검사 고지), the answers' shapes, and the
errors every adapter raises (pure).

Every input and output is plain data an HTTP adapter can carry as JSON (``integrations.bills.codec``):
strings, integer won, ISO dates, and the ``Status``/``Channel`` codes. The ledger has its own clock: the
standing of each notice (status, late charge, amount due) is as of the ledger's today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from integrations.bills.model import CHANNEL_LABELS, Channel, Notice, Status
from integrations.bills.outbox import Resend
from integrations.errors import ServiceUnavailable
from kernel.errors import Conflict, NotFound, ValidationFailed


@dataclass(frozen=True)
class Bill:
    """An amount the citizen owes now: kind (종합소득세, 자동차세 …), amount in won (late charge included),
    the due date printed on the notice."""

    kind: str
    amount_won: int
    due: dt.date


class BillLedgerUnavailable(ServiceUnavailable):
    """The ledger could not answer."""

    code = "bill-ledger-unavailable"


class NoticeNotFound(NotFound):
    """No such notice for this citizen (another citizen's notice is not found either)."""

    code = "bill-notice-not-found"

    def __init__(self, notice_id: str) -> None:
        super().__init__("해당 고지서를 찾을 수 없습니다.", notice_id=notice_id)


class ChannelNotOnFile(ValidationFailed):
    """The citizen has no address on file for that channel, so the notice cannot be sent there."""

    code = "bill-channel-not-on-file"

    def __init__(self, channel: Channel) -> None:
        super().__init__(
            f"{CHANNEL_LABELS[channel]}(으)로 받을 연락처가 등록되어 있지 않아 보낼 수 없습니다.", channel=str(channel)
        )


class IdempotencyKeyReused(Conflict):
    """The idempotency key was already used for another resend request."""

    code = "bill-idempotency-key-reused"

    def __init__(self, key: str) -> None:
        super().__init__("이 요청 키는 이미 다른 재발송 요청에 쓰였습니다. 새 요청 키로 다시 요청해 주세요.", key=key)


class IdempotencyKeyInvalid(ValidationFailed):
    """The idempotency key is empty, too long or not printable."""

    code = "bill-idempotency-key-invalid"

    def __init__(self) -> None:
        super().__init__("요청 키가 비어 있거나 올바르지 않습니다.")


class BillLedger(Protocol):
    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        """The citizen's open (unpaid or overdue) notice of that kind as a ``Bill`` — the earliest due when there
        are several — with the amount due now; None when there is none. ``citizen_ref`` is opaque (today the
        caller's phone number). ``BillLedgerUnavailable`` when the ledger cannot answer (every method)."""
        ...

    def notices(self, citizen_ref: str, *, status: Status | None = None) -> list[Notice]:
        """The citizen's notices (only those of ``status`` when given), as of the ledger's today, by due date."""
        ...

    def notice(self, citizen_ref: str, notice_id: str) -> Notice | None:
        """One of the citizen's notices, as of the ledger's today; None when the citizen has no such notice."""
        ...

    def resend(self, citizen_ref: str, notice_id: str, channel: Channel | None, idempotency_key: str) -> Resend:
        """Queue the notice to be sent again, by ``channel`` or (None) the channel the citizen chose.

        The same key with the same request answers the first resend and sends nothing more; the same key with
        another request raises ``IdempotencyKeyReused``. ``NoticeNotFound``, ``ChannelNotOnFile`` (no address
        for that channel), ``IdempotencyKeyInvalid``."""
        ...

    def resends(self, citizen_ref: str, notice_id: str) -> list[Resend]:
        """The notice's resends, oldest first, with their delivery status; ``NoticeNotFound``."""
        ...
