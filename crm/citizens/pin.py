"""The citizen's IVR PIN: what a PIN may be, how it is kept, and when guessing it is locked out.

A citizen keys a PIN of 4 to 6 digits in the IVR; the agent never hears or types it. It is kept only as an
argon2id hash (slow and salted: a stolen table does not give 10⁶ PINs away in a second), with a counter of
consecutive failures: ``PinPolicy.max_failures`` in a row lock the PIN for ``PinPolicy.lockout``, whoever
was guessing. PINs anyone could guess (one digit repeated, a run like 1234 or 9876, a repeated pair, the
birth date in the masked 주민등록번호, the end of a phone number on file) are refused when set.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class PinPolicy:
    min_length: int = 4
    max_length: int = 6
    max_failures: int = 5  # consecutive wrong PINs before the lock
    lockout: dt.timedelta = dt.timedelta(minutes=30)


@dataclass
class CitizenPin:
    """One citizen's PIN: its hash, consecutive failures and, after too many, until when it is locked."""

    citizen_id: int
    pin_hash: str
    set_at: dt.datetime
    failures: int = 0
    locked_until: dt.datetime | None = None
    version: int = 0

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


class PinCheck(enum.StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"  # refused without checking, or this failure reached the limit
    NO_PIN = "no-pin"


class PinRefused(enum.StrEnum):
    """Why a new PIN was not accepted."""

    FORMAT = "format"  # not 4–6 digits
    TRIVIAL = "trivial"  # guessable: repeated, a run, the birth date, a number on file
    MISMATCH = "mismatch"  # the two entries differ


class PinHasher:
    """argon2id, as agents' passwords are (the library's recommended cost)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy = self._hasher.hash("000000-no-pin")

    def hash(self, pin: str) -> str:
        return self._hasher.hash(pin)

    def verify(self, pin_hash: str | None, pin: str) -> bool:
        """Constant work whether or not there is a hash: a missing PIN costs as long as a wrong one."""
        try:
            return self._hasher.verify(pin_hash or self._dummy, pin) and pin_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def well_formed(pin: str, policy: PinPolicy) -> bool:
    return pin.isascii() and pin.isdigit() and policy.min_length <= len(pin) <= policy.max_length


def refusal(
    pin: str,
    policy: PinPolicy,
    *,
    rrn_masked: str | None = None,
    birth_year: int | None = None,
    phones: Iterable[str] = (),
) -> PinRefused | None:
    """Why ``pin`` may not be set for this citizen, or None when it may."""
    if not well_formed(pin, policy):
        return PinRefused.FORMAT
    if _patterned(pin) or any(pin in form for form in _personal_forms(rrn_masked, birth_year, phones)):
        return PinRefused.TRIVIAL
    return None


def _patterned(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {9}):  # 0000, 1234, 7890, 4321, 3210
        return True
    # a repeated block: 1212, 123123, 121212, 5656
    return any(len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size) for size in range(1, len(pin) // 2 + 1))


def _personal_forms(rrn_masked: str | None, birth_year: int | None, phones: Iterable[str]) -> list[str]:
    """Digits anyone near the citizen (or reading the masked number on screen) knows."""
    forms: list[str] = []
    birth = (rrn_masked or "")[:6]
    if len(birth) == 6 and birth.isdigit():
        yy, mm, dd = birth[:2], birth[2:4], birth[4:]
        year = f"{birth_year:04d}" if birth_year else ""
        forms += [birth, yy + mm + dd, mm + dd, dd + mm, yy + mm, mm + dd + yy, dd + mm + yy]
        if year:
            forms += [year + mm + dd, year, mm + dd + year, dd + mm + year]
    elif birth_year:
        forms.append(f"{birth_year:04d}")
    for digits in phones:
        if len(digits) >= 4:
            forms += [digits[-8:], digits[-4:]]  # the subscriber number, its last four digits
    return [f for f in forms if f]  # a PIN inside any of them (0101 in 900101) is refused
