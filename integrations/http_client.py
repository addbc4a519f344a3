"""The JSON-over-HTTP client every tool's adapter speaks through: short timeouts, safe retries, one breaker.

An agent waits with a citizen on the line, so a call has a hard budget: connect and read timeouts and an
overall deadline (``ToolConfig.deadline_s``, retries included). Only safe calls are retried: reads, and writes
that carry an idempotency key (the server answers a repeated key with the first answer, so a retry never
issues a certificate or sends a notice twice). One circuit breaker (pybreaker) per system: after a few
failures in a row the circuit opens and calls fail at once (well under 100 ms) with the port's own
``ServiceUnavailable`` and a Korean message, until a trial call after the reset time.

Rejections (4xx with the system's ``{error, message, details}`` body) are the system answering: they never
trip the breaker and are raised as ``Rejection`` for the adapter to translate into its port's errors.

The client blocks its thread. Adapters run on the control process's tool thread pool (never the reactor, never
a database thread: ``sori.tools_wiring``), or on any thread of a CLI or test.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pybreaker
import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay, wait_exponential

from integrations.settings import ToolConfig

log = logging.getLogger("sori.integrations")
Timeouts = tuple[float, float]

UNAVAILABLE = {
    "circuit-open": "{system}이(가) 계속 응답하지 않아 잠시 조회를 멈췄습니다. 잠시 후 다시 시도해 주세요.",
    "timeout": "{system}의 응답이 늦어 조회하지 못했습니다. 잠시 후 다시 시도해 주세요.",
    "connection-failed": "{system}에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    "server-error": "{system}에 오류가 있어 조회하지 못했습니다. 잠시 후 다시 시도해 주세요.",
    "unauthorized": "{system} 인증에 실패했습니다. 관리자에게 문의해 주세요.",
    "protocol": "{system}의 응답을 이해할 수 없습니다. 관리자에게 문의해 주세요.",
}


@dataclass(frozen=True)
class Rejection(Exception):
    """The system refused this request (4xx): ``code`` and ``message`` from its error body."""

    status: int
    code: str
    message: str
    details: Mapping[str, Any]


class _Retryable(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """A successful answer: its body (decoded JSON, or bytes for another media type) and its headers."""

    body: Any
    headers: Mapping[str, str]


Unavailable = Callable[..., Exception]  # (message, reason=…, **details) → the port's "try later" error


class JsonClient:
    """Calls one external system at ``base_url``; failures raise ``unavailable(message, reason=…)`` (the port's
    ``ServiceUnavailable`` subclass, or any error built so) or ``Rejection``. The key goes in ``X-API-Key``
    unless ``auth`` names another header and value (e.g. a bearer token)."""

    def __init__(self, base_url: str, api_key: str, config: ToolConfig, *, system: str, unavailable: Unavailable,
                 auth: tuple[str, str] | None = None) -> None:  # fmt: skip
        self.base = base_url.rstrip("/")
        self.auth = auth or ("x-api-key", api_key)
        self.config = config
        self.system = system  # Korean name for messages, e.g. "보조금24"
        self.unavailable = unavailable
        self.timeouts: Timeouts = (config.connect_timeout_s, config.read_timeout_s)
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=config.breaker_failures,
            reset_timeout=config.breaker_reset_s,
            exclude=[Rejection],
            throw_new_error_on_trip=False,
            name=system,
        )
        self._local = threading.local()  # one requests.Session per thread: sessions are not thread-safe

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON answer of ``GET base+path`` (retried: reads are safe)."""
        return self._call("GET", path, params=params, json_body=None, headers={}, retry=True).body

    def post(
        self,
        path: str,
        body: Any,
        *,
        idempotency_key: str | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """``POST base+path``; retried only when ``idempotency_key`` makes a repeat harmless."""
        headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
        if raw is not None:
            headers["content-type"] = content_type
        return self._call(
            "POST", path, params=None, json_body=body, headers=headers, retry=idempotency_key is not None, raw=raw
        ).body

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None,
                headers: Mapping[str, str] | None = None, idempotency_key: str | None = None) -> Any:  # fmt: skip
        """Any call with headers of its own (e.g. the citizen a call is about); retried when it is a read or
        carries ``idempotency_key``. The answer's body."""
        return self.exchange(method, path, params=params, body=body, headers=headers,
                             idempotency_key=idempotency_key).body  # fmt: skip

    def exchange(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None,
                 headers: Mapping[str, str] | None = None, idempotency_key: str | None = None) -> Answer:  # fmt: skip
        """As ``request``, with the answer's headers too (e.g. whether a repeated key was replayed)."""
        sent = dict(headers or {})
        if idempotency_key is not None:
            sent["idempotency-key"] = idempotency_key
        retry = method == "GET" or idempotency_key is not None
        return self._call(method, path, params=params, json_body=body, headers=sent, retry=retry)

    def failure(self, reason: str, **details: Any) -> Exception:
        return self.unavailable(UNAVAILABLE[reason].format(system=self.system), reason=reason, **details)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers[self.auth[0]] = self.auth[1]
            if self.config.ca_file is not None:
                session.verify = str(self.config.ca_file)
            if self.config.client_cert_file is not None:
                session.cert = str(self.config.client_cert_file)
        return session

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: dict[str, str],
        retry: bool,
        raw: bytes | None = None,
    ) -> Answer:
        url = self.base + path

        def attempt(timeouts: Timeouts) -> requests.Response:
            return self._session().request(
                method,
                url,
                params=params,
                json=json_body if raw is None else None,
                data=raw,
                headers=headers,
                timeout=timeouts,
            )

        try:
            response: requests.Response = self.breaker.call(self._retrying, attempt, retry, f"{method} {path}")
        except pybreaker.CircuitBreakerError:
            raise self.failure("circuit-open") from None
        return Answer(_decoded(response, self), response.headers)

    def _retrying(self, attempt: Callable[[Timeouts], requests.Response], retry: bool, what: str) -> requests.Response:
        started = time.monotonic()
        deadline = self.config.deadline_s
        retrying = Retrying(
            stop=stop_after_attempt(self.config.attempts if retry else 1) | stop_before_delay(deadline),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            for trial in retrying:
                with trial:
                    remaining = deadline - (time.monotonic() - started)
                    if remaining <= 0.01:
                        raise _Retryable("timeout", "deadline passed")
                    budget = (min(self.timeouts[0], remaining), min(self.timeouts[1], remaining))
                    return self._once(attempt, budget)
        except _Retryable as error:
            log.warning("%s unavailable", self.system, extra={"call": what, "reason": error.reason})
            raise self.failure(error.reason) from None
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
            raise self.failure("unauthorized", status=status)
        if 400 <= status < 500:
            body = _json_or_none(response)
            if not isinstance(body, dict) or not isinstance(body.get("error"), str):
                raise self.failure("protocol", status=status)
            details = body.get("details")
            raise Rejection(
                status, body["error"], str(body.get("message", "")), details if isinstance(details, dict) else {}
            )
        return response


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _decoded(response: requests.Response, client: JsonClient) -> Any:
    if response.headers.get("content-type", "").startswith("application/json"):
        body = _json_or_none(response)
        if body is None:
            raise client.failure("protocol", detail="the answer is not JSON")
        return body
    return response.content
