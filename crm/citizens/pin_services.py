"""PIN services: check a PIN keyed in the IVR, change it there, enrol a first one on a verified contact.

Each takes the unit of work and never commits; the caller commits, also after a failure, so that the
failure's counter and its ``identity_attempts`` row (method ``ivr-pin``) stay. A check of a locked PIN is
refused without hashing and recorded as ``locked``; the failure that reaches the limit locks the PIN and is
recorded as ``locked`` too. A right PIN resets the counter.
"""

from __future__ import annotations

import datetime as dt

from crm.access.evidence import IdentityAttempt, Outcome
from crm.cases.services import own_interaction
from crm.citizens.model import SystemVerification, VerificationMethod
from crm.citizens.pin import CitizenPin, PinCheck, PinHasher, PinPolicy, PinRefused, refusal, well_formed
from crm.errors import Forbidden, InteractionClosed
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import ValidationFailed

METHOD = SystemVerification.IVR_PIN.value
#: Evidence that lets an agent enrol (or reset) a citizen's PIN: a PIN cannot vouch for itself.
ENROLMENT_EVIDENCE = frozenset({VerificationMethod.RESIDENT_NUMBER.value, VerificationMethod.SMS_CODE.value})


def _audit(uow: UnitOfWork, now: dt.datetime, citizen_id: int, outcome: Outcome, agent_id: int | None = None,
           interaction_id: int | None = None) -> None:  # fmt: skip
    uow.identity.add_attempt(IdentityAttempt(now, agent_id, citizen_id, interaction_id, METHOD, outcome))


def check_pin(
    uow: UnitOfWork, now: dt.datetime, hasher: PinHasher, policy: PinPolicy, *, citizen_id: int, pin: str
) -> PinCheck:
    """The PIN keyed for ``citizen_id``: verified, wrong, locked, or no PIN enrolled."""
    stored = uow.pins.get(citizen_id)
    if stored is None:
        hasher.verify(None, pin)  # the same work as a wrong PIN
        return PinCheck.NO_PIN
    if stored.locked(now):
        _audit(uow, now, citizen_id, Outcome.LOCKED)
        return PinCheck.LOCKED
    if well_formed(pin, policy) and hasher.verify(stored.pin_hash, pin):
        stored.failures, stored.locked_until = 0, None
        _audit(uow, now, citizen_id, Outcome.VERIFIED)
        return PinCheck.VERIFIED
    stored.failures += 1
    _audit(uow, now, citizen_id, Outcome.FAILED)
    if stored.failures >= policy.max_failures:
        stored.failures, stored.locked_until = 0, now + policy.lockout
        _audit(uow, now, citizen_id, Outcome.LOCKED)
        return PinCheck.LOCKED
    return PinCheck.WRONG


def change_pin(
    uow: UnitOfWork,
    now: dt.datetime,
    hasher: PinHasher,
    policy: PinPolicy,
    *,
    citizen_id: int,
    current: str,
    new: str,
    repeated: str,
) -> PinCheck | PinRefused:
    """In the IVR: the current PIN, then the new one twice. ``VERIFIED`` when changed."""
    refused = _refusal(uow, policy, citizen_id, new, repeated)
    checked = check_pin(uow, now, hasher, policy, citizen_id=citizen_id, pin=current)
    if checked is not PinCheck.VERIFIED:
        return checked
    if refused is not None:
        return refused
    stored = uow.pins.get(citizen_id)
    assert stored is not None
    stored.pin_hash, stored.set_at = hasher.hash(new), now
    return PinCheck.VERIFIED


def enrol_pin(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    hasher: PinHasher,
    policy: PinPolicy,
    *,
    interaction_id: int,
    pin: str,
    repeated: str,
) -> PinRefused | None:
    """A first PIN (or a forgotten one replaced) for the citizen of the agent's open contact.

    Only on a contact whose caller was verified with evidence the agent could not supply alone (the
    주민등록번호 stated, or the SMS code read back): someone who merely spoofs a number cannot enrol one. The
    digits come from the caller's keypad, never from the agent.
    """
    citizen_id = enrolment_citizen(uow, actor, interaction_id)
    refused = _refusal(uow, policy, citizen_id, pin, repeated)
    if refused is not None:
        return refused
    stored = uow.pins.get(citizen_id)
    if stored is None:
        uow.pins.add(CitizenPin(citizen_id, hasher.hash(pin), now))
    else:
        stored.pin_hash, stored.set_at, stored.failures, stored.locked_until = hasher.hash(pin), now, 0, None
    _audit(uow, now, citizen_id, Outcome.REGISTERED, actor.agent_id, interaction_id)
    return None


def enrolment_citizen(uow: UnitOfWork, actor: Actor, interaction_id: int) -> int:
    """The citizen whose PIN the agent's open contact may enrol; refused unless verified with evidence."""
    interaction = own_interaction(uow, actor, interaction_id)
    if not interaction.is_open:
        raise InteractionClosed("this contact is already wrapped up")
    citizen_id = interaction.citizen_id
    if citizen_id is None or not interaction.identity_verified or interaction.verified_method not in ENROLMENT_EVIDENCE:
        raise Forbidden(
            "비밀번호 등록 전에 주민등록번호나 문자 인증번호로 본인 확인을 해야 합니다 (verify the caller first)"
        )
    return citizen_id


def _refusal(uow: UnitOfWork, policy: PinPolicy, citizen_id: int, pin: str, repeated: str) -> PinRefused | None:
    citizen = uow.citizens.get(citizen_id)
    if citizen is None:
        raise ValidationFailed("no such citizen")
    if pin != repeated:
        return PinRefused.MISMATCH
    phones = [p.digits for p in uow.citizens.phones(citizen_id)]
    return refusal(pin, policy, rrn_masked=citizen.rrn_masked, birth_year=citizen.birth_year, phones=phones)
