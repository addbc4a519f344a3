"""Scheduling a callback from a contact the agent serves: a window and a number on file, on the contact's case."""

from __future__ import annotations

import datetime as dt

from crm.cases.events import record
from crm.cases.model import Callback, EventKind
from crm.cases.scheduled_callbacks import CALLING, calling_ref, check_window, phone_ref
from crm.cases.services import own_open_interaction
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import DomainError, ValidationFailed


class NoCaseOnContact(DomainError):
    """A callback belongs to a case: open or continue one on the contact first."""

    code = "no-case-on-contact"


class PhoneNotOnFile(DomainError):
    """The number chosen is not the calling number nor one on file for the contact's citizen."""

    code = "phone-not-on-file"


def schedule_callback(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    interaction_id: int,
    window_start: dt.datetime,
    window_end: dt.datetime,
    number: str | int,
    reason: str,
) -> Callback:
    """A pending callback on the contact's case, to the calling number (``"calling"``) or a number on file
    (its index in the citizen's ``phones`` as the API lists them), placed by the desk within the window; the
    row keeps a reference to the number, never its digits."""
    interaction = own_open_interaction(uow, actor, interaction_id)
    window = check_window(window_start, window_end, now)
    reason = reason.strip()
    if not reason or len(reason) > 60:
        raise ValidationFailed("reason: 1-60 characters", parameter="reason")
    if interaction.case_id is None or interaction.citizen_id is None:
        raise NoCaseOnContact("open or continue a case on this contact first", interaction_id=interaction_id)
    case = uow.cases.get_by_id(interaction.case_id)
    assert case is not None and case.id is not None and interaction.id is not None
    if number == CALLING:
        if not interaction.caller_number:
            raise PhoneNotOnFile("this contact has no calling number", number="calling")
        ref = calling_ref(interaction.id)
    elif isinstance(number, int) and not isinstance(number, bool):
        # the index into the citizen's numbers as the API lists them (masked, oldest first)
        phones = uow.citizens.phones(interaction.citizen_id)
        if not 0 <= number < len(phones) or phones[number].id is None:
            raise PhoneNotOnFile("no such number on file for this citizen", number=number)
        ref = phone_ref(phones[number].id or 0)
    else:
        raise ValidationFailed('number: "calling" or the id of a number on file', parameter="number")
    callback = Callback(
        case_id=case.id,
        citizen_id=interaction.citizen_id,
        center_code=interaction.center_code,
        due_at=window.start,
        reason=reason,
        created_at=now,
        interaction_id=interaction.id,
        window_end=window.end,
        phone_ref=ref,
        scheduled_by=actor.agent_id,
    )
    uow.callbacks.add(callback)
    uow.flush()
    after = {"callback_id": callback.id, "window_start": window.start.isoformat(), "window_end": window.end.isoformat()}
    record(uow, case, EventKind.CALLBACK_SCHEDULED, actor, now, None, after)
    return callback
