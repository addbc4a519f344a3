"""The HTTP adapter of the SMS port: ``openapi.json`` spoken through the shared client (``integrations.http_client``).

Every call has connect and read timeouts and an overall deadline; failed attempts are retried (tenacity) only
because every send carries its idempotency key, so a retry never sends a second text; and one circuit breaker
(pybreaker) per gateway stops calling a gateway that keeps failing, so agents get a quick Korean answer instead
of waiting out timeouts. Rejections (bad number, text too long) never trip the breaker. Blocking: callers are
handlers on the database thread pool, or the agent tools' thread pool.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from integrations.http_client import JsonClient, Rejection
from integrations.settings import ToolConfig
from integrations.sms.port import (
    REJECTION_MESSAGES,
    SentMessage,
    SmsMessageNotFound,
    SmsRejected,
    SmsUnavailable,
)
from integrations.sms.rules import check_idempotency_key, check_number, measure_text

UNAVAILABLE_MESSAGES = {
    "circuit-open": "문자 발송 서비스가 계속 응답하지 않아 잠시 발송을 멈췄습니다. 잠시 후 다시 시도해 주세요.",
    "unauthorized": "문자 발송 서비스 인증에 실패했습니다. 관리자에게 문의해 주세요.",
    "protocol": "문자 발송 서비스의 응답을 이해할 수 없습니다. 관리자에게 문의해 주세요.",
}


def _unavailable(message: str, *, reason: str, **details: Any) -> SmsUnavailable:
    """The shared client's failure as the port's error, in the gateway's own words."""
    if reason in UNAVAILABLE_MESSAGES:
        return SmsUnavailable(reason, UNAVAILABLE_MESSAGES[reason], **details)
    return SmsUnavailable(reason, **details)  # connection-failed, timeout, server-error: "try later"


class HttpSmsGateway:
    def __init__(self, base_url: str, api_key: str, *, connect_timeout_s: float = 1.0, read_timeout_s: float = 3.0,
                 deadline_s: float = 6.0, attempts: int = 3, breaker_failures: int = 5,
                 breaker_reset_s: float = 30.0) -> None:  # fmt: skip
        config = ToolConfig(connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s, deadline_s=deadline_s,
                            attempts=attempts, breaker_failures=breaker_failures,
                            breaker_reset_s=breaker_reset_s)  # fmt: skip
        self.client = JsonClient(base_url, api_key, config, system="문자 발송 서비스", unavailable=_unavailable,
                                 auth=("authorization", f"Bearer {api_key}"))  # fmt: skip
        self.base, self.breaker = self.client.base, self.client.breaker

    def send(self, to: str, text: str, *, idempotency_key: str) -> SentMessage:
        check_number(to)  # refused here already: a bad request never costs a round trip
        measure_text(text)
        check_idempotency_key(idempotency_key)
        try:
            answer = self.client.exchange("POST", "/v1/messages", body={"to": to, "text": text},
                                          idempotency_key=idempotency_key)  # fmt: skip
        except Rejection as rejected:
            raise _refused(rejected) from None
        return _message(answer.body, replayed=answer.headers.get("idempotent-replayed") == "true")

    def status(self, message_id: str) -> SentMessage:
        try:
            answer = self.client.exchange("GET", f"/v1/messages/{quote(message_id, safe='')}")
        except Rejection as rejected:
            if rejected.code == "message-not-found":
                raise SmsMessageNotFound(message_id) from None
            raise _refused(rejected) from None
        return _message(answer.body, replayed=False)


def _refused(rejected: Rejection) -> Exception:
    if rejected.status == 404:  # not a message the gateway lost: a route it does not have
        return SmsUnavailable("protocol", UNAVAILABLE_MESSAGES["protocol"], status=404)
    code = rejected.code if rejected.code in REJECTION_MESSAGES else "bad-request"
    return SmsRejected(code, status=rejected.status, error=rejected.code)


def _message(body: Any, replayed: bool) -> SentMessage:
    try:
        delivered = body["delivered_at"]
        return SentMessage(
            id=str(body["id"]), to=str(body["to"]), kind=_one_of(body["kind"], ("sms", "lms")),
            bytes=int(body["bytes"]), status=_one_of(body["status"], ("accepted", "delivered", "failed")),
            accepted_at=dt.datetime.fromisoformat(body["accepted_at"]),
            delivered_at=dt.datetime.fromisoformat(delivered) if delivered else None, replayed=replayed,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as error:
        raise SmsUnavailable("protocol", UNAVAILABLE_MESSAGES["protocol"], detail=str(error)) from None


def _one_of(value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value
