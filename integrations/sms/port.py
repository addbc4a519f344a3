"""The port: what Sori needs of an SMS gateway, and the typed errors every adapter raises (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol

MessageKind = Literal["sms", "lms"]
MessageState = Literal["accepted", "delivered", "failed"]


@dataclass(frozen=True)
class SentMessage:
    """A message the gateway accepted. ``to`` is masked (010-****-5678): safe for logs and answers."""

    id: str
    to: str
    kind: MessageKind
    bytes: int
    status: MessageState
    accepted_at: dt.datetime
    delivered_at: dt.datetime | None = None
    replayed: bool = False  # the idempotency key was seen before: nothing was sent again


class SmsGateway(Protocol):
    def send(self, to: str, text: str, *, idempotency_key: str) -> SentMessage:
        """Send ``text`` to the mobile number ``to`` (digits, 010…) once per ``idempotency_key``.

        Raises ``SmsRejected`` (this request can never succeed) or ``SmsUnavailable`` (try later)."""
        ...

    def status(self, message_id: str) -> SentMessage:
        """A sent message's delivery status; ``SmsMessageNotFound`` if the gateway does not know it."""
        ...


class SmsError(Exception):
    """Base of the gateway's errors. ``code`` is stable; ``message`` is Korean, for the agent."""

    code = "sms-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, details={self.details!r})"


class SmsUnavailable(SmsError):
    """The gateway could not be reached or failed (``reason``: connection-failed, timeout, server-error,
    unauthorized, protocol, circuit-open). Retrying later with the same idempotency key is safe."""

    code = "sms-unavailable"

    def __init__(self, reason: str, message: str = "문자 발송 서비스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
                 **details: Any) -> None:  # fmt: skip
        super().__init__(message, reason=reason, **details)
        self.reason = reason


REJECTION_MESSAGES = {
    "invalid-number": "휴대전화 번호(010으로 시작하는 숫자)가 아니어서 문자를 보낼 수 없습니다.",
    "text-empty": "보낼 문자 내용이 없습니다.",
    "text-too-long": "문자 내용이 너무 깁니다(장문 문자 최대 2,000바이트, 한글 약 1,000자).",
    "text-encoding": "문자로 보낼 수 없는 글자가 들어 있습니다(한글 완성형·영문·숫자만 가능).",
    "idempotency-key-invalid": "요청 식별 키가 올바르지 않습니다.",
    "idempotency-key-reused": "같은 요청 식별 키로 다른 문자를 보낼 수 없습니다.",
    "bad-request": "문자 발송 요청이 올바르지 않습니다.",
}


class SmsRejected(SmsError):
    """The gateway refused this request; sending it again will not help. ``reason`` is one of
    ``REJECTION_MESSAGES``' keys."""

    code = "sms-rejected"

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(REJECTION_MESSAGES.get(reason, REJECTION_MESSAGES["bad-request"]), reason=reason, **details)
        self.reason = reason


class SmsMessageNotFound(SmsError):
    code = "sms-message-not-found"

    def __init__(self, message_id: str) -> None:
        super().__init__("해당 문자 발송 기록이 없습니다.", message_id=message_id)
