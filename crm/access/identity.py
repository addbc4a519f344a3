"""Identity checks on a contact: the evidence rules of ``evidence`` applied inside a unit of work.

Each function returns what happened instead of raising on a failed check, so the caller can commit
the audit row of a failure (an exception would roll it back) and then answer with
``evidence.failed()``: the same answer whatever did not match.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from crm.access.evidence import (
    GuessLimits,
    IdentityAttempt,
    IdentityChallenge,
    Outcome,
    check_not_locked,
    code_hash,
    code_matches,
    new_code,
)
from crm.cases.model import Interaction
from crm.cases.services import own_open_interaction
from crm.citizens.model import Citizen, CitizenPhone, Sex, VerificationMethod
from crm.citizens.phone import PhoneKind, normalize_phone
from crm.citizens.rrn import protect_resident_number
from crm.errors import IdentityCheckLocked
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import Conflict, DomainError, ValidationFailed


@dataclass(frozen=True)
class CodeToSend:
    challenge: IdentityChallenge
    code: str
    to_digits: str


def _audit(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, interaction: Interaction, method: str, outcome: Outcome
) -> None:
    uow.identity.add_attempt(
        IdentityAttempt(
            at=now,
            agent_id=actor.agent_id,
            citizen_id=interaction.citizen_id,
            interaction_id=interaction.id,
            method=method,
            outcome=outcome,
        )
    )


def _guard(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, interaction: Interaction, method: str, limits: GuessLimits
) -> None:
    """Refuse (and record the refusal) when the agent or the citizen is locked out."""
    agent_failures = uow.identity.failures(agent_id=actor.agent_id, since=now - limits.agent_window)
    citizen_failures = (
        uow.identity.failures(citizen_id=interaction.citizen_id, since=now - limits.citizen_window)
        if interaction.citizen_id is not None
        else 0
    )
    try:
        check_not_locked(agent_failures, citizen_failures, limits)
    except IdentityCheckLocked:
        _audit(uow, actor, now, interaction, method, Outcome.LOCKED)
        raise


def _mark_verified(interaction: Interaction, actor: Actor, now: dt.datetime, method: VerificationMethod) -> None:
    interaction.verified_by = actor.agent_id
    interaction.verified_method = method.value
    interaction.verified_at = now


def _conclude(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, interaction: Interaction, method: VerificationMethod, ok: bool
) -> bool:
    """Record the check's outcome (and, when it held, who verified the contact how and when)."""
    if ok:
        _mark_verified(interaction, actor, now, method)
    _audit(uow, actor, now, interaction, method, Outcome.VERIFIED if ok else Outcome.FAILED)
    return ok


def verify_resident_number(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    key: bytes,
    limits: GuessLimits,
    *,
    interaction_id: int,
    spoken: str,
) -> bool:
    """The caller states their 주민등록번호; it must match the keyed hash of the contact's citizen."""
    interaction = own_open_interaction(uow, actor, interaction_id)
    method = VerificationMethod.RESIDENT_NUMBER
    _guard(uow, actor, now, interaction, method, limits)
    try:
        given = protect_resident_number(spoken, key).hash
    except DomainError:
        given = "-" * 64  # malformed counts as wrong, and answers the same
    citizen = uow.citizens.get(interaction.citizen_id) if interaction.citizen_id is not None else None
    stored = citizen.rrn_hash if citizen is not None and citizen.rrn_hash else "0" * 64
    ok = hmac.compare_digest(given, stored) and citizen is not None and citizen.rrn_hash is not None
    return _conclude(uow, actor, now, interaction, method, ok)


def prepare_code(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    key: bytes,
    limits: GuessLimits,
    *,
    interaction_id: int,
    phone_index: int,
) -> CodeToSend:
    """A one-time code for the contact, to a mobile number already on file for its citizen.

    ``phone_index`` picks among the citizen's mobile numbers in the order the citizen page lists them
    (masked); the destination is never typed by the agent.
    """
    interaction = own_open_interaction(uow, actor, interaction_id)
    if interaction.citizen_id is None:
        raise ValidationFailed("pick the citizen for this contact first")
    method = VerificationMethod.SMS_CODE
    _guard(uow, actor, now, interaction, method, limits)
    if uow.identity.codes_sent(interaction_id) >= limits.codes_per_contact:
        raise IdentityCheckLocked(
            "이 상담에서 보낼 수 있는 인증번호를 모두 보냈습니다 (no more codes on this contact)", retry_after_s=0
        )
    phones = [p for p in uow.citizens.phones(interaction.citizen_id) if p.kind == PhoneKind.MOBILE.value]
    if not 0 <= phone_index < len(phones):
        raise ValidationFailed(
            "이 민원인에게 등록된 휴대전화가 없습니다 (no such mobile number on file)", mobiles=len(phones)
        )
    digits = phones[phone_index].digits
    code = new_code()
    challenge = IdentityChallenge(
        interaction_id=interaction_id,
        citizen_id=interaction.citizen_id,
        code_hash=code_hash(key, interaction_id, code),
        sent_to_masked=normalize_phone(digits).masked,
        created_at=now,
        expires_at=now + limits.code_ttl,
    )
    uow.identity.add_challenge(challenge)
    uow.flush()
    _audit(uow, actor, now, interaction, method, Outcome.CODE_SENT)
    return CodeToSend(challenge, code, digits)


def verify_code(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, key: bytes, limits: GuessLimits, *, interaction_id: int, code: str
) -> bool:
    """The caller reads back the code; only the contact's latest usable code counts."""
    interaction = own_open_interaction(uow, actor, interaction_id)
    method = VerificationMethod.SMS_CODE
    _guard(uow, actor, now, interaction, method, limits)
    challenge = uow.identity.latest_challenge(interaction_id)
    ok = False
    if challenge is not None and challenge.usable(now, limits.code_tries):
        challenge.tries += 1
        ok = challenge.citizen_id == interaction.citizen_id and code_matches(key, challenge, code)
        if ok:
            challenge.used_at = now
    return _conclude(uow, actor, now, interaction, method, ok)


def register_on_contact(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    key: bytes,
    limits: GuessLimits,
    *,
    interaction_id: int,
    name: str | None,
    phones: list[str],
    resident_number: str | None,
    birth_year: int | None,
    sex: Sex | None,
    region_sido: str | None,
    region_sigungu: str | None,
) -> Citizen:
    """Register the caller of a contact the agent is serving.

    The anonymous record telephony made for a new number is filled in; a caller on a number that
    already belongs to a registered citizen gets a record of their own.

    With a 주민등록번호 already on record the caller is that citizen (stating it is the evidence of
    ``verify_resident_number``): the contact is linked to them, verified, and no typed number is
    added to their record. Otherwise a new citizen is created with the contact's calling number and
    the numbers given. The answer has the same shape either way.
    """
    interaction = own_open_interaction(uow, actor, interaction_id)
    if interaction.case_id is not None:
        raise Conflict("the contact already belongs to a case; its citizen is fixed")
    if interaction.identity_verified:
        raise Conflict("this contact's caller is already verified; their record is fixed")
    current = uow.citizens.get(interaction.citizen_id) if interaction.citizen_id is not None else None
    if current is not None and (current.rrn_hash is not None or current.name is not None):
        current = None  # someone else on a shared number: a record of their own
    numbers = [normalize_phone(p) for p in phones]
    protected = protect_resident_number(resident_number, key) if resident_number else None
    if protected is not None:
        _guard(uow, actor, now, interaction, VerificationMethod.RESIDENT_NUMBER, limits)
        if (
            uow.identity.registrations(agent_id=actor.agent_id, since=now - limits.agent_window)
            >= limits.registrations_per_agent
        ):
            _audit(uow, actor, now, interaction, VerificationMethod.RESIDENT_NUMBER, Outcome.LOCKED)
            raise IdentityCheckLocked("too many registrations with a 주민등록번호; try later", retry_after_s=0)
        existing = uow.citizens.by_rrn_hash(protected.hash)
        if existing is not None:
            interaction.citizen_id = existing.id
            _mark_verified(interaction, actor, now, VerificationMethod.RESIDENT_NUMBER)
            _audit(uow, actor, now, interaction, VerificationMethod.RESIDENT_NUMBER, Outcome.VERIFIED)
            return existing
        if birth_year is not None and birth_year != protected.birth_year:
            raise ValidationFailed("birth year disagrees with the 주민등록번호")
        birth_year, sex = protected.birth_year, Sex(protected.sex)
    citizen = current if current is not None else Citizen(created_at=now)
    citizen.name = (name or "").strip() or None
    citizen.rrn_hash = protected.hash if protected else None
    citizen.rrn_masked = protected.masked if protected else None
    citizen.birth_year, citizen.sex = birth_year, sex
    citizen.region_sido, citizen.region_sigungu = region_sido, region_sigungu
    citizen.updated_at = now
    if current is None:
        uow.citizens.add(citizen)
        uow.flush()
    assert citizen.id is not None
    on_file = {p.digits for p in uow.citizens.phones(citizen.id)}
    wanted = {n.digits: n for n in numbers}
    if interaction.caller_number:
        wanted.setdefault(interaction.caller_number, normalize_phone(interaction.caller_number))
    for digits, number in wanted.items():
        if digits not in on_file:
            uow.citizens.add_phone(
                CitizenPhone(citizen_id=citizen.id, digits=digits, kind=number.kind.value, added_at=now)
            )
    interaction.citizen_id = citizen.id
    if protected is not None:
        _mark_verified(interaction, actor, now, VerificationMethod.RESIDENT_NUMBER)
        _audit(uow, actor, now, interaction, VerificationMethod.RESIDENT_NUMBER, Outcome.REGISTERED)
    return citizen
