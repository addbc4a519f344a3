"""Citizen services: register a citizen, match a caller by number, record consents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crm.citizens.model import Citizen, CitizenPhone, Sex
from crm.citizens.phone import normalize_phone
from crm.citizens.rrn import protect_resident_number
from crm.errors import CitizenNotFound, Forbidden
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import Conflict, ValidationFailed


def register_citizen(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    rrn_key: bytes,
    *,
    name: str | None = None,
    phones: Sequence[str] = (),
    resident_number: str | None = None,
    birth_year: int | None = None,
    sex: Sex | None = None,
    region_sido: str | None = None,
    region_sigungu: str | None = None,
) -> Citizen:
    """Create a citizen; a 주민등록번호 is kept only as keyed hash and masked form."""
    if actor.role.value == "analyst":
        raise Forbidden("analysts cannot register citizens")
    numbers = [normalize_phone(p) for p in phones]
    protected = protect_resident_number(resident_number, rrn_key) if resident_number else None
    if protected is not None:
        if uow.citizens.by_rrn_hash(protected.hash) is not None:
            raise Conflict("a citizen with this 주민등록번호 is already registered")
        if birth_year is not None and birth_year != protected.birth_year:
            raise ValidationFailed("birth year disagrees with the 주민등록번호")
        birth_year = protected.birth_year
        sex = Sex(protected.sex)
    citizen = Citizen(
        name=(name or "").strip() or None,
        rrn_hash=protected.hash if protected else None,
        rrn_masked=protected.masked if protected else None,
        birth_year=birth_year,
        sex=sex,
        region_sido=region_sido,
        region_sigungu=region_sigungu,
        created_at=now,
        updated_at=now,
    )
    uow.citizens.add(citizen)
    uow.flush()
    assert citizen.id is not None
    for number in {n.digits: n for n in numbers}.values():
        uow.citizens.add_phone(
            CitizenPhone(citizen_id=citizen.id, digits=number.digits, kind=number.kind.value, added_at=now)
        )
    return citizen


def match_caller(uow: UnitOfWork, actor: Actor, now: dt.datetime, phone: str) -> tuple[list[Citizen], bool]:
    """Citizens on record for a calling number; creates an (unverified) one for a new number.

    Returns ``(citizens, created)``. A number is not an identity: several citizens
    may share it, and every match stays unverified until an identity check.
    """
    number = normalize_phone(phone)
    found = list(uow.citizens.by_phone(number.digits))
    if found:
        return found, False
    citizen = Citizen(created_at=now, updated_at=now)
    uow.citizens.add(citizen)
    uow.flush()
    assert citizen.id is not None
    uow.citizens.add_phone(
        CitizenPhone(citizen_id=citizen.id, digits=number.digits, kind=number.kind.value, added_at=now)
    )
    return [citizen], True


def record_consent(
    uow: UnitOfWork,
    now: dt.datetime,
    *,
    citizen_id: int,
    recording: bool | None = None,
    eligibility_check: bool | None = None,
) -> Citizen:
    """Record (or withdraw) the recording notice heard and the consent to check eligibility elsewhere."""
    citizen = uow.citizens.get(citizen_id)
    if citizen is None:
        raise CitizenNotFound(f"no citizen {citizen_id}", citizen_id=citizen_id)
    if recording is not None:
        citizen.consent_recording_at = now if recording else None
    if eligibility_check is not None:
        citizen.consent_eligibility_at = now if eligibility_check else None
    citizen.updated_at = now
    return citizen
