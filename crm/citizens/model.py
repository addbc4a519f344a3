"""The Citizen aggregate: who called or wrote, how sure we are, and what they consented to."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from kernel.errors import ValidationFailed


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"


class VerificationMethod(enum.StrEnum):
    """Evidence that the caller is the citizen on record, which the agent cannot supply alone."""

    RESIDENT_NUMBER = "resident-number"  # caller stated their 주민등록번호, matched by keyed hash
    SMS_CODE = "sms-code"  # one-time code sent by SMS to a phone on file, read back by the caller


class SystemVerification(enum.StrEnum):
    """Evidence the system itself checked before an agent took the call (never chosen by an agent's request)."""

    IVR_PIN = "ivr-pin"  # the caller keyed the PIN they enrolled, in the IVR: the agent never hears it


EVIDENCE_METHODS = frozenset(m.value for m in (*VerificationMethod, *SystemVerification))


@dataclass
class CitizenPhone:
    citizen_id: int
    digits: str
    kind: str
    added_at: dt.datetime
    id: int | None = None


@dataclass
class Citizen:
    name: str | None = None
    rrn_hash: str | None = None
    rrn_masked: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    region_sido: str | None = None
    region_sigungu: str | None = None
    consent_recording_at: dt.datetime | None = None
    consent_eligibility_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        if self.birth_year is not None and not 1870 <= self.birth_year <= 2100:
            raise ValidationFailed(f"birth year {self.birth_year} is impossible")
        if self.name is not None and len(self.name) > 100:
            raise ValidationFailed("name is longer than 100 characters")
