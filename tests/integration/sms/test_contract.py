"""The contract every ``SmsGateway`` keeps, run against the in-memory adapter and against the HTTP adapter
talking to the reference service over real HTTP (one suite, two adapters)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from integrations.sms.http_adapter import HttpSmsGateway
from integrations.sms.memory import InMemorySmsGateway
from integrations.sms.port import SmsGateway, SmsMessageNotFound, SmsRejected
from tests.support.sms import Reference, start_reference

pytestmark = pytest.mark.integration

_numbers = itertools.count(1)


@dataclass
class Subject:
    gateway: SmsGateway
    handset: Callable[[str], list[str]]  # the texts a number received, oldest first


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    service = start_reference(tmp_path_factory.mktemp("sms"))
    yield service
    service.stop()


@pytest.fixture(params=["memory", "http"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "memory":
        memory = InMemorySmsGateway()
        return Subject(memory, lambda number: [r.text for r in memory.inbox(number)])
    service: Reference = request.getfixturevalue("reference")
    http = HttpSmsGateway(service.url, service.key, read_timeout_s=5, deadline_s=10)
    return Subject(http, lambda number: [str(m["text"]) for m in service.handset(number)])


def fresh_number() -> str:
    """A handset no other test wrote to (the reference service lives for the whole module)."""
    return f"0107{next(_numbers):07d}"


def test_a_text_reaches_the_handset_once_and_its_status_is_known(subject: Subject) -> None:
    number = fresh_number()
    sent = subject.gateway.send(number, "[정부민원안내] 인증번호 123456", idempotency_key="otp-1-" + number)
    assert sent.to == f"010-****-{number[-4:]}" and number not in repr(sent)
    assert (sent.kind, sent.bytes, sent.replayed) == (
        "sms",
        len("[정부민원안내] 인증번호 123456".encode("cp949")),
        False,
    )
    assert sent.accepted_at.tzinfo is not None and abs(sent.accepted_at - dt.datetime.now(dt.UTC)) < dt.timedelta(
        minutes=1
    )
    assert subject.handset(number) == ["[정부민원안내] 인증번호 123456"]
    status = subject.gateway.status(sent.id)
    assert (status.id, status.status, status.to) == (sent.id, "delivered", sent.to)


def test_the_same_idempotency_key_sends_nothing_twice(subject: Subject) -> None:
    number = fresh_number()
    first = subject.gateway.send(number, "인증번호 111111", idempotency_key="k-" + number)
    again = subject.gateway.send(number, "인증번호 111111", idempotency_key="k-" + number)
    assert (again.id, again.replayed, first.replayed) == (first.id, True, False)
    other = subject.gateway.send(number, "인증번호 111111", idempotency_key="k2-" + number)
    assert other.id != first.id
    assert subject.handset(number) == ["인증번호 111111", "인증번호 111111"]


def test_a_key_reused_for_another_text_is_refused(subject: Subject) -> None:
    number = fresh_number()
    subject.gateway.send(number, "인증번호 222222", idempotency_key="r-" + number)
    with pytest.raises(SmsRejected) as refused:
        subject.gateway.send(number, "인증번호 333333", idempotency_key="r-" + number)
    assert (refused.value.code, refused.value.reason) == ("sms-rejected", "idempotency-key-reused")
    assert subject.handset(number) == ["인증번호 222222"]


@pytest.mark.parametrize("to", ["010-1234-5678", "0212345678", "0101234567", "010123456789", "+821012345678", ""])
def test_only_korean_mobile_numbers_in_digits_are_accepted(subject: Subject, to: str) -> None:
    with pytest.raises(SmsRejected) as refused:
        subject.gateway.send(to, "안내", idempotency_key="n-" + fresh_number())
    assert refused.value.reason == "invalid-number" and "휴대전화" in refused.value.message


def test_texts_are_counted_in_cp949_bytes_sms_then_lms_then_refused(subject: Subject) -> None:
    number = fresh_number()
    assert subject.gateway.send(number, "가" * 45, idempotency_key="s-" + number).kind == "sms"  # 90 bytes
    lms = subject.gateway.send(number, "가" * 46, idempotency_key="l-" + number)
    assert (lms.kind, lms.bytes) == ("lms", 92)
    assert subject.gateway.send(number, "가" * 1000, idempotency_key="x-" + number).bytes == 2000
    for text, reason in (("가" * 1001, "text-too-long"), ("  ", "text-empty"), ("인증 😀", "text-encoding")):
        with pytest.raises(SmsRejected) as refused:
            subject.gateway.send(number, text, idempotency_key="t-" + reason + number)
        assert refused.value.reason == reason
    assert len(subject.handset(number)) == 3


def test_an_unknown_message_is_not_found(subject: Subject) -> None:
    with pytest.raises(SmsMessageNotFound) as missing:
        subject.gateway.status("m_no-such-message")
    assert missing.value.code == "sms-message-not-found"


def test_the_reference_service_checks_what_the_adapter_checks(reference: Reference) -> None:
    """The adapter refuses bad requests before sending; the service refuses them too (tested raw in
    test_reference.py). Here: a valid send through the adapter is visible to a second adapter instance
    (state lives in the service, not the client)."""
    number = fresh_number()
    one = HttpSmsGateway(reference.url, reference.key)
    sent = one.send(number, "안내 문자", idempotency_key="two-" + number)
    again = HttpSmsGateway(reference.url, reference.key).send(number, "안내 문자", idempotency_key="two-" + number)
    assert (again.id, again.replayed) == (sent.id, True)
