"""Request and response models of identity checks on a contact and of supervisors' attestations."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from crm.access.model import AttestationKind
from crm.citizens.model import VerificationMethod
from kernel.http.models import Id, In, Int, Out


class VerifyIn(In):
    """The evidence the method names: ``resident_number`` for resident-number, ``code`` for sms-code (the
    route's handler checks it: 422 validation-failed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["method", "resident_number"],
                    "properties": {
                        "method": {"const": VerificationMethod.RESIDENT_NUMBER.value},
                        "resident_number": {"type": "string", "minLength": 1},
                    },
                },
                {
                    "required": ["method", "code"],
                    "properties": {
                        "method": {"const": VerificationMethod.SMS_CODE.value},
                        "code": {"type": "string", "minLength": 1},
                    },
                },
            ]
        }
    )

    method: VerificationMethod
    resident_number: str | None = Field(None, max_length=20, description="resident-number: what the caller states")
    code: str | None = Field(None, max_length=12, description="sms-code: the code the caller reads back")


class SendCodeIn(In):
    phone_index: Int = Field(0, ge=0, le=9, description="which of the citizen's mobile numbers on file (masked order)")


class CodeSentOut(Out):
    sent_to: str = Field(description="the number on file, masked")
    expires_at: dt.datetime


class AttestationIn(In):
    agent_id: Id
    citizen_id: Id
    kind: AttestationKind
    reason: str = Field(min_length=4, max_length=500)
    valid_minutes: Int = Field(60, ge=1, le=240)


class AttestationOut(Out):
    id: int
    agent_id: int
    citizen_id: int
    center_code: str
    kind: AttestationKind
    expires_at: dt.datetime
