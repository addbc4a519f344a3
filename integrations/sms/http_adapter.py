"""The HTTP adapter of the SMS port: ``openapi.json`` spoken with ``requests`` (blocking, short timeouts).

Callers are API handlers on the database thread pool, so a blocking client with a hard budget fits:
every call has connect and read timeouts and an overall deadline; failed attempts are retried (tenacity)
only because every send carries its idempotency key, so a retry never sends a second text; and one circuit
breaker (pybreaker) per gateway stops calling a gateway that keeps failing, so agents get a quick Korean
answer instead of waiting out timeouts. Rejections (bad number, text too long) never trip the breaker.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import pybreaker
import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay, wait_exponential

from integrations.sms.port import (
    REJECTION_MESSAGES,
    SentMessage,
    SmsMessageNotFound,
    SmsRejected,
    SmsUnavailable,
)
from integrations.sms.rules import check_idempotency_key, check_number, measure_text

log = logging.getLogger("sori.sms")
T = TypeVar("T")
Timeouts = tuple[float, float]

UNAVAILABLE_MESSAGES = {
    "circuit-open": "문자 발송 서비스가 계속 응답하지 않아 잠시 발송을 멈췄습니다. 잠시 후 다시 시도해 주세요.",
    "unauthorized": "문자 발송 서비스 인증에 실패했습니다. 관리자에게 문의해 주세요.",
    "protocol": "문자 발송 서비스의 응답을 이해할 수 없습니다. 관리자에게 문의해 주세요.",
}


class _Retryable(Exception):
    """An attempt that failed in a way another attempt may not (connection, timeout, 5xx, 429)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class HttpSmsGateway:
    def __init__(self, base_url: str, api_key: str, *, connect_timeout_s: float = 1.0, read_timeout_s: float = 3.0,
                 deadline_s: float = 6.0, attempts: int = 3, breaker_failures: int = 5,
                 breaker_reset_s: float = 30.0) -> None:  # fmt: skip
        self.base = base_url.rstrip("/")
        self._auth = f"Bearer {api_key}"
        self.timeouts: Timeouts = (connect_timeout_s, read_timeout_s)
        self.deadline_s = deadline_s
        self.attempts = attempts
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=breaker_failures, reset_timeout=breaker_reset_s, exclude=[SmsRejected, SmsMessageNotFound],
            throw_new_error_on_trip=False, name="sms",
        )  # fmt: skip
        self._local = threading.local()  # one requests.Session per thread: sessions are not thread-safe

    def send(self, to: str, text: str, *, idempotency_key: str) -> SentMessage:
        check_number(to)  # refused here already: a bad request never costs a round trip
        measure_text(text)
        check_idempotency_key(idempotency_key)
        headers = {"idempotency-key": idempotency_key}
        payload = {"to": to, "text": text}

        def attempt(timeouts: Timeouts) -> requests.Response:
            return self._session().post(f"{self.base}/v1/messages", json=payload, headers=headers, timeout=timeouts)

        response = self._call(attempt, "send")
        return _message(response, replayed=response.headers.get("idempotent-replayed") == "true")

    def status(self, message_id: str) -> SentMessage:
        def attempt(timeouts: Timeouts) -> requests.Response:
            return self._session().get(f"{self.base}/v1/messages/{quote(message_id, safe='')}",
                                       timeout=timeouts)  # fmt: skip

        try:
            return _message(self._call(attempt, "status"), replayed=False)
        except SmsRejected as error:
            if error.details.get("error") == "message-not-found":
                raise SmsMessageNotFound(message_id) from None
            raise

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["authorization"] = self._auth
        return session

    def _call(self, attempt: Callable[[Timeouts], requests.Response], what: str) -> requests.Response:
        try:
            return self.breaker.call(self._retrying, attempt, what)
        except pybreaker.CircuitBreakerError:
            raise SmsUnavailable("circuit-open", UNAVAILABLE_MESSAGES["circuit-open"]) from None

    def _retrying(self, attempt: Callable[[Timeouts], requests.Response], what: str) -> requests.Response:
        started = time.monotonic()
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts) | stop_before_delay(self.deadline_s),
            wait=wait_exponential(multiplier=0.1, max=1.0),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            for trial in retrying:
                with trial:
                    remaining = self.deadline_s - (time.monotonic() - started)
                    if remaining <= 0:
                        raise _Retryable("timeout", "deadline passed")
                    return self._once(attempt, (min(self.timeouts[0], remaining), min(self.timeouts[1], remaining)))
        except _Retryable as error:
            log.warning("sms gateway unavailable", extra={"call": what, "reason": error.reason, "detail": str(error)})
            raise SmsUnavailable(error.reason) from None
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    def _once(self, attempt: Callable[[Timeouts], requests.Response], timeouts: Timeouts) -> requests.Response:
        try:
            response = attempt(timeouts)
        except requests.Timeout as error:
            raise _Retryable("timeout", type(error).__name__) from None
        except requests.RequestException as error:
            raise _Retryable("connection-failed", type(error).__name__) from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise _Retryable("server-error", f"HTTP {status}")
        if status in (401, 403):
            raise SmsUnavailable("unauthorized", UNAVAILABLE_MESSAGES["unauthorized"], status=status)
        if 400 <= status < 500:
            code = _error_code(response)
            if status == 404 and code != "message-not-found":
                raise SmsUnavailable("protocol", UNAVAILABLE_MESSAGES["protocol"], status=status)
            raise SmsRejected(code if code in REJECTION_MESSAGES else "bad-request", status=status, error=code)
        return response


def _error_code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "bad-request"
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else "bad-request"


def _message(response: requests.Response, replayed: bool) -> SentMessage:
    try:
        body: Any = response.json()
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
