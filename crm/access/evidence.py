"""Identity evidence: what unlocks another center's detail, and the limits on guessing it.

Only evidence the agent cannot supply alone counts (``crm.citizens.model.VerificationMethod``):
the 주민등록번호 the caller states, matched against the stored keyed hash, or a one-time
code sent by SMS to a phone already on file for the citizen and read back by the caller.
What an agent can read on screen (the birth date in the masked number, the name) is never
evidence.

Every attempt, good or bad, is an ``IdentityAttempt`` row (the audit), and failures are counted per
agent and per citizen over a sliding window: past the limit further attempts are refused and the
refusal itself is recorded. A failed check always gives the same answer, whatever failed, so the
answers reveal nothing about which numbers exist.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from crm.errors import IdentityCheckFailed, IdentityCheckLocked

FAILED_MESSAGE = "본인 확인에 실패했습니다 (identity check failed)"


class Outcome(enum.StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    LOCKED = "locked"  # refused without checking: too many failures
    CODE_SENT = "code-sent"
    REGISTERED = "registered"  # a new citizen registered on the contact with a 주민등록번호


@dataclass
class IdentityAttempt:
    """One identity check or code sent: append-only audit."""

    at: dt.datetime
    agent_id: int | None
    citizen_id: int | None
    interaction_id: int | None
    method: str
    outcome: Outcome
    id: int | None = None


@dataclass
class IdentityChallenge:
    """A one-time code sent by SMS for one contact; only its keyed hash is kept."""

    interaction_id: int
    citizen_id: int
    code_hash: str
    sent_to_masked: str
    created_at: dt.datetime
    expires_at: dt.datetime
    tries: int = 0
    used_at: dt.datetime | None = None
    message_id: str | None = None
    id: int | None = None

    def usable(self, now: dt.datetime, max_tries: int) -> bool:
        return self.used_at is None and now < self.expires_at and self.tries < max_tries


@dataclass(frozen=True)
class GuessLimits:
    """How many failed checks are allowed before further ones are refused (sliding windows)."""

    per_agent: int = 10
    agent_window: dt.timedelta = dt.timedelta(minutes=30)
    per_citizen: int = 5
    citizen_window: dt.timedelta = dt.timedelta(hours=1)
    registrations_per_agent: int = 20  # new citizens with a 주민등록번호, per agent_window
    codes_per_contact: int = 3  # SMS codes one contact may send (no flooding the citizen's phone)
    code_ttl: dt.timedelta = dt.timedelta(minutes=5)
    code_tries: int = 3


def check_not_locked(agent_failures: int, citizen_failures: int, limits: GuessLimits) -> None:
    """Refuse a check when the agent or the citizen has too many recent failures."""
    if agent_failures >= limits.per_agent:
        raise IdentityCheckLocked(
            "본인 확인 실패가 너무 많아 잠시 후 다시 시도해야 합니다 (too many failed identity checks by you)",
            retry_after_s=int(limits.agent_window.total_seconds()),
        )
    if citizen_failures >= limits.per_citizen:
        raise IdentityCheckLocked(
            "이 민원인에 대한 본인 확인 실패가 너무 많습니다 (too many failed identity checks for this citizen)",
            retry_after_s=int(limits.citizen_window.total_seconds()),
        )


def failed() -> IdentityCheckFailed:
    """The one answer for every failed check: no hint of what did not match, or what exists."""
    return IdentityCheckFailed(FAILED_MESSAGE)


def new_code() -> str:
    """Six digits from the OS's CSPRNG."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(key: bytes, interaction_id: int, code: str) -> str:
    """Keyed hash of a code, bound to its contact (a code read on one contact is useless on another)."""
    message = f"sms-code:{interaction_id}:{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(key: bytes, challenge: IdentityChallenge, code: str) -> bool:
    return hmac.compare_digest(code_hash(key, challenge.interaction_id, code), challenge.code_hash)


def sms_text(code: str, ttl: dt.timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    return f"[국민의 소리] 본인확인 인증번호 [{code}]. 상담원에게만 불러 주세요. {minutes}분 안에 유효합니다."
