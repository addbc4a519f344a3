"""What the API handlers need from the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm.access.evidence import GuessLimits
from crm.api.auth import LoginLimiter
from crm.api.http_status import STATUS as CRM_STATUS
from crm.api.public_verify import TokenBuckets
from crm.api.tools import AgentTools
from crm.cases.complaint_text import TextMasker, conservative_mask
from crm.cases.complaints import DEFAULT_DUE_DAYS
from crm.cases.continuity import ContinuityPolicy
from crm.cases.suggestions import CategorySuggester
from crm.cases.wrap_up_codes import WrapUpCodeBook
from integrations.sms.port import SmsGateway
from kernel.calendar import WorkCalendar
from kernel.http.errors import STATUS as KERNEL_STATUS
from kernel.http.errors import StatusTable


@dataclass(frozen=True)
class OfferedCaller:
    """A call the desk is offering to an agent: ids and the masked number only."""

    call_id: str
    center: str
    queue: str
    citizen_id: int | None
    case_number: str | None
    caller: str | None


@dataclass
class ApiDeps:
    rrn_key: bytes
    policy: ContinuityPolicy
    calendar: WorkCalendar
    limiter: LoginLimiter
    token_hours: float = 8.0
    sip_realm: str = "sori"  # the edge's digest realm: agents' phone HA1s depend on it
    sms: SmsGateway | None = None  # one-time codes to citizens' phones (integrations/sms)
    tools: AgentTools | None = None  # the agent tools' ports (integrations/*) and their thread pool
    # Case work (crm.api.routes_case_assist): the category classifier behind its port, the recordings root
    # that contacts' recording_ref are under, and who to tell of a newly scheduled callback (the desk).
    suggester: CategorySuggester | None = None
    recordings_dir: Path | None = None
    callback_scheduled: Callable[[int], None] | None = None
    # The call ringing at an agent's phone now, by login (the desk's fact, for the screen-pop while it rings).
    offered_caller: Callable[[str], OfferedCaller | None] | None = None
    # The public certificate check's rate limit per address, shared by its API route and its /verify page.
    verify_limiter: TokenBuckets = field(default_factory=TokenBuckets)
    guess_limits: GuessLimits = field(default_factory=GuessLimits)  # identity checks per agent and citizen
    openapi: Callable[[], dict[str, Any]] = field(default=lambda: {})
    # 신문고 inbox: the PII masker for complaints' masked copies (the composition root gives analytics'), and
    # the 처리기한 in working days from receipt.
    complaint_masker: TextMasker = conservative_mask
    complaint_due_days: int = DEFAULT_DUE_DAYS
    wrap_up_codes: WrapUpCodeBook = field(default_factory=WrapUpCodeBook)  # each center's wrap-up codes
    # Error code → HTTP status: the kernel's and the case store's here; the composition root adds every package's.
    statuses: StatusTable = field(default_factory=lambda: StatusTable(KERNEL_STATUS, CRM_STATUS))
