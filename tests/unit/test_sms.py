"""The SMS gateway's pure parts: number and length rules, the bounded store, the in-memory adapter, and
its configuration (``[integrations.sms]``) and API key handling in the composition root."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from integrations.sms.memory import InMemorySmsGateway
from integrations.sms.port import SmsMessageNotFound, SmsRejected, SmsUnavailable
from integrations.sms.rules import check_number, mask_number, measure_text
from integrations.sms.store import MessageStore
from sori.config import load_settings
from sori.sms_wiring import api_key


def clock() -> dt.datetime:
    return dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("number", ["01012345678", "0111234567", "01612345678", "0191234567"])
def test_mobile_numbers_pass(number: str) -> None:
    assert check_number(number) == number


@pytest.mark.parametrize("number", ["0101234567", "01112345", "0212345678", "07012345678", "010 1234 5678", "１０"])
def test_other_numbers_are_refused(number: str) -> None:
    with pytest.raises(SmsRejected, match="휴대전화"):
        check_number(number)


def test_masking_keeps_prefix_and_last_four() -> None:
    assert (mask_number("01012345678"), mask_number("0111234567")) == ("010-****-5678", "011-***-4567")


def test_lengths_are_cp949_bytes() -> None:
    assert measure_text("A" * 90) == ("sms", 90)
    assert measure_text("A" * 91) == ("lms", 91)
    assert measure_text("인증번호 123456") == ("sms", 15)
    with pytest.raises(SmsRejected) as too_long:
        measure_text("A" * 2001)
    assert too_long.value.details == {"reason": "text-too-long", "bytes": 2001, "limit": 2000}


def test_the_store_is_bounded_and_forgets_keys_and_inbox_entries_with_the_oldest_message() -> None:
    store = MessageStore(clock, max_messages=3, inbox_limit=2)
    first = store.send("01011110000", "하나", "k1")
    for n in range(2, 5):
        store.send("01011110000" if n < 4 else "01022220000", f"문자 {n}", f"k{n}")
    assert len(store) == 3
    with pytest.raises(SmsMessageNotFound):
        store.get(first.id)
    assert [r.text for r in store.inbox("01011110000")] == ["문자 2", "문자 3"]
    again = store.send("01011110000", "다른 내용", "k1")  # the forgotten key is free again
    assert not again.replayed and again.id != first.id
    assert [r.text for r in store.inbox("01011110000")] == ["문자 3", "다른 내용"]  # at most inbox_limit


def test_the_in_memory_gateway_records_sends_and_can_be_down() -> None:
    gateway = InMemorySmsGateway(clock)
    gateway.send("01050000001", "인증번호 1", idempotency_key="a")
    gateway.send("01050000001", "인증번호 1", idempotency_key="a")
    assert gateway.sent == [("01050000001", "인증번호 1")]
    gateway.available = False
    with pytest.raises(SmsUnavailable) as down:
        gateway.send("01050000001", "인증번호 2", idempotency_key="b")
    assert down.value.code == "sms-unavailable" and gateway.sent == [("01050000001", "인증번호 1")]


def test_settings_from_file_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_settings(state_dir=tmp_path).integrations.sms.base_url is None
    monkeypatch.setenv("SORI_INTEGRATIONS__SMS__BASE_URL", "https://sms.example.go.kr")
    monkeypatch.setenv("SORI_INTEGRATIONS__SMS__API_KEY", "from-the-environment-123")
    sms = load_settings(state_dir=tmp_path).integrations.sms
    assert sms.base_url == "https://sms.example.go.kr"
    assert "from-the-environment" not in repr(sms)  # a secret: never printed with the settings
    assert api_key(load_settings(state_dir=tmp_path)) == ("from-the-environment-123", None)


def test_the_reference_key_file_is_created_private_but_a_real_gateway_needs_its_key(tmp_path: Path) -> None:
    key, path = api_key(load_settings(state_dir=tmp_path))
    assert path == tmp_path / "secrets" / "sms-api.key" and len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert api_key(load_settings(state_dir=tmp_path)) == (key, path)  # the same key next time
    real = load_settings(state_dir=tmp_path / "other", integrations={"sms": {"base_url": "https://sms.example"}})
    with pytest.raises(ValueError, match="API key is missing"):
        api_key(real)
