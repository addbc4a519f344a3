"""Failure is a feature: a stopped gateway, a frozen one (SIGSTOP), a wrong key, and the circuit breaker;
each ends in ``sms-unavailable`` within the adapter's budget, and a retry never sends a text twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.sms.http_adapter import HttpSmsGateway
from integrations.sms.port import SentMessage, SmsRejected, SmsUnavailable
from tests.support.postgres import free_port
from tests.support.sms import KEY, Reference, start_reference

pytestmark = pytest.mark.integration


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[Reference]:
    service = start_reference(tmp_path)
    yield service
    if service.process.poll() is None:
        service.stop()


def test_a_stopped_gateway_is_unavailable_quickly(reference: Reference) -> None:
    gateway = HttpSmsGateway(reference.url, reference.key, deadline_s=5)
    gateway.send("01060000001", "첫 문자", idempotency_key="down-1")
    reference.stop()
    started = time.monotonic()
    with pytest.raises(SmsUnavailable) as down:
        gateway.send("01060000001", "둘째 문자", idempotency_key="down-2")
    assert time.monotonic() - started < 2.0  # refused connections: three attempts, no waiting out timeouts
    assert (down.value.code, down.value.reason) == ("sms-unavailable", "connection-failed")
    assert "잠시 후 다시" in down.value.message


def test_a_frozen_gateway_times_out_within_the_deadline(reference: Reference) -> None:
    gateway = HttpSmsGateway(reference.url, reference.key, read_timeout_s=0.4, deadline_s=1.5, attempts=10)
    reference.pause()  # SIGSTOP: the kernel still accepts connections, nothing answers
    try:
        started = time.monotonic()
        with pytest.raises(SmsUnavailable) as frozen:
            gateway.send("01060000002", "인증번호 000000", idempotency_key="frozen-1")
        elapsed = time.monotonic() - started
    finally:
        reference.resume()
    assert frozen.value.reason == "timeout"
    assert 0.4 <= elapsed <= 1.5 + 0.8, elapsed  # the deadline, plus scheduling slack on a busy machine


def test_a_retry_after_a_timeout_does_not_send_twice(reference: Reference) -> None:
    """The first attempt times out while the service is frozen; it still receives that request when it
    thaws, so the retry (same idempotency key) gets the first message back instead of a second text."""
    gateway = HttpSmsGateway(reference.url, reference.key, read_timeout_s=0.5, deadline_s=8, attempts=5)
    reference.pause()
    result: list[SentMessage] = []
    began = threading.Event()

    def send() -> None:
        began.set()
        result.append(gateway.send("01060000003", "인증번호 424242", idempotency_key="retry-1"))

    sender = threading.Thread(target=send)
    sender.start()
    assert began.wait(5)
    time.sleep(0.9)  # past the first attempt's read timeout (0.5 s)
    reference.resume()
    sender.join(timeout=10)
    assert result and result[0].replayed  # answered by a later attempt: the key was known already
    assert [m["text"] for m in reference.handset("01060000003")] == ["인증번호 424242"]


def test_a_wrong_api_key_is_unavailable_without_retries(reference: Reference) -> None:
    gateway = HttpSmsGateway(reference.url, "not-the-key-0123456789")
    with pytest.raises(SmsUnavailable) as refused:
        gateway.send("01060000004", "안내", idempotency_key="key-1")
    assert refused.value.reason == "unauthorized" and "관리자" in refused.value.message
    assert reference.handset("01060000004") == []


RESET_S = 4.0  # longer than the reference service takes to start on a busy machine


def test_the_breaker_opens_after_repeated_failures_and_closes_after_a_good_trial(tmp_path: Path) -> None:
    port = free_port()
    gateway = HttpSmsGateway(f"http://127.0.0.1:{port}", KEY, attempts=1, breaker_failures=3,
                             breaker_reset_s=RESET_S)  # fmt: skip
    for n in range(3):
        with pytest.raises(SmsUnavailable) as failed:
            gateway.send("01060000005", "안내", idempotency_key=f"b-{n}")
        assert failed.value.reason == "connection-failed"
    assert gateway.breaker.current_state == "open"
    opened = time.monotonic()
    service = start_reference(tmp_path, port)  # the gateway is back, but the circuit is still open
    try:
        started = time.monotonic()
        with pytest.raises(SmsUnavailable) as open_circuit:
            gateway.send("01060000005", "안내", idempotency_key="b-open")
        assert open_circuit.value.reason == "circuit-open" and time.monotonic() - started < 0.5
        assert service.handset("01060000005") == []
        assert time.monotonic() - opened < RESET_S, "the reference service took longer to start than the reset"
        time.sleep(max(0.0, opened + RESET_S + 0.1 - time.monotonic()))  # the reset timeout: one trial call
        assert gateway.send("01060000005", "안내", idempotency_key="b-trial").status == "delivered"
        assert gateway.breaker.current_state == "closed"
    finally:
        service.stop()


def test_rejections_never_open_the_breaker(reference: Reference) -> None:
    gateway = HttpSmsGateway(reference.url, reference.key, breaker_failures=2)
    gateway.send("01060000006", "하나", idempotency_key="rej-1")
    for _ in range(4):
        with pytest.raises(SmsRejected):
            gateway.send("01060000006", "다른 문자", idempotency_key="rej-1")  # the key's text differs: 422
    assert gateway.breaker.current_state == "closed"
    assert gateway.send("01060000006", "셋", idempotency_key="rej-2").status == "delivered"
