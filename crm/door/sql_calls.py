"""The case store behind ``crm.door.calls.CallerDirectory`` and ``CallContacts``: who is calling (and their
open cases), the IVR PIN, and the finished call as a contact.

Runs on the database thread pool, never on the reactor. A number is not an identity, so a caller matched by
number alone is offered an open case only when exactly one citizen has that number.
"""

from __future__ import annotations

import datetime as dt

from crm.cases.continuity import ContinuityPolicy, continuable_cases
from crm.cases.ingest import FinishedContact, Rejected
from crm.cases.transcription import TranscriptionJob
from crm.citizens.phone import normalize_phone
from crm.citizens.pin import PinCheck, PinHasher, PinPolicy, PinRefused
from crm.citizens.pin_services import change_pin, check_pin
from crm.door.calls import TRANSCRIBE_AFTER, CallerInfo, KeyedPin
from crm.errors import InvalidPhoneNumber
from crm.store.ingest import ingest_contacts
from crm.store.uow import UnitOfWorkFactory


class CaseStoreCalls:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: ContinuityPolicy,
        pin_hasher: PinHasher | None = None,
        pin_policy: PinPolicy | None = None,
    ) -> None:
        self.uow = uow
        self.policy = policy
        self.pin_hasher = pin_hasher or PinHasher()
        self.pin_policy = pin_policy or PinPolicy()

    def lookup_caller(self, caller: str, now: dt.datetime) -> CallerInfo:
        try:
            number = normalize_phone(caller)
        except InvalidPhoneNumber:
            return CallerInfo(None, None, None, None, None)
        with self.uow(readonly=True) as uow:
            citizens = list(uow.citizens.by_phone(number.digits))
            if len(citizens) != 1 or citizens[0].id is None:
                return CallerInfo(number.display, number.digits, number.masked, number.area_code, None)
            citizen_id = citizens[0].id
            offered = continuable_cases(uow.cases.for_citizen(citizen_id), now, self.policy)
            open_cases = tuple(
                (case.number, frozenset({case.owner_center, *(h.to_center for h in uow.handoffs.for_case(case.id))}))
                for case in offered
                if case.id is not None
            )
            has_pin = uow.pins.get(citizen_id) is not None
        return CallerInfo(
            number.display, number.digits, number.masked, number.area_code, citizen_id, open_cases, has_pin
        )

    def pin(self, citizen_id: int, request: KeyedPin, now: dt.datetime) -> str:
        """Check (or change) the PIN the caller keyed; the outcome's code (``verified``, ``wrong``, …).

        Committed whatever the outcome: a failure's counter and audit row must stay.
        """
        result: PinCheck | PinRefused
        with self.uow() as uow:
            if request.new is None:
                result = check_pin(uow, now, self.pin_hasher, self.pin_policy, citizen_id=citizen_id,
                                   pin=request.current)  # fmt: skip
            else:
                again = request.repeated or ""
                result = change_pin(uow, now, self.pin_hasher, self.pin_policy, citizen_id=citizen_id,
                                    current=request.current, new=request.new, repeated=again)  # fmt: skip
            uow.commit()
        return result.value

    def record(self, contact: FinishedContact) -> int | Rejected:
        """Store one finished contact; the id of its interaction, or why it was refused."""
        with self.uow() as uow:
            assert uow.session is not None
            result = ingest_contacts(uow.session, [contact])
            uow.commit()
        if result.rejected:
            return result.rejected[0]
        interaction_id = result.interaction_ids[0]
        assert interaction_id is not None
        return interaction_id

    def enqueue_transcription(self, recording_ref: str, now: dt.datetime, seconds: float) -> bool:
        """Queue a closed recording for post-call transcription (once per recording); False if queued before."""
        with self.uow() as uow:
            if uow.transcription_jobs.by_ref(recording_ref) is not None:
                return False
            started = now - dt.timedelta(seconds=seconds)
            uow.transcription_jobs.add(TranscriptionJob(recording_ref, now, started, seconds,
                                                        available_at=now + TRANSCRIBE_AFTER))  # fmt: skip
            uow.commit()
        return True
