"""The PIN's pure rules: what may be a PIN, and what anyone could guess (crm/citizens/pin.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.citizens.pin import CitizenPin, PinPolicy, PinRefused, refusal

POLICY = PinPolicy()
PERSONAL = {"rrn_masked": "900101-1******", "birth_year": 1990, "phones": ["01034567890"]}


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "１２３４", "", "35 79"])
def test_a_pin_is_four_to_six_ascii_digits(pin: str) -> None:
    assert refusal(pin, POLICY) is PinRefused.FORMAT


@pytest.mark.parametrize(
    "pin",
    ["0000", "999999", "1234", "4321", "7890", "3210", "123456", "654321", "1212", "121212", "123123", "5656"],
)
def test_repeats_runs_and_repeated_blocks_are_refused(pin: str) -> None:
    assert refusal(pin, POLICY) is PinRefused.TRIVIAL


@pytest.mark.parametrize("pin", ["900101", "0101", "1990", "19900101", "7890", "34567890", "010190"])
def test_the_birth_date_and_the_numbers_on_file_are_refused(pin: str) -> None:
    if len(pin) > POLICY.max_length:
        assert refusal(pin, POLICY, **PERSONAL) is PinRefused.FORMAT  # type: ignore[arg-type]
    else:
        assert refusal(pin, POLICY, **PERSONAL) is PinRefused.TRIVIAL  # type: ignore[arg-type]


@pytest.mark.parametrize("pin", ["3579", "2468", "975310", "80417"])
def test_other_pins_are_accepted(pin: str) -> None:
    assert refusal(pin, POLICY, **PERSONAL) is None  # type: ignore[arg-type]


def test_a_lock_lasts_until_its_time() -> None:
    now = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
    pin = CitizenPin(1, "$argon2id$…", now, locked_until=now + POLICY.lockout)
    assert pin.locked(now) and pin.locked(now + dt.timedelta(minutes=29))
    assert not pin.locked(now + dt.timedelta(minutes=30))
