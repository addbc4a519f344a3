"""The composition root: the one place that builds the shared things of a Sori process from configuration
(the engine, the unit of work, the calendar, the continuity policy, the clock, the CTI bus, the resident-number
key, the case store's published adapters and the search index) once, and hands each service its dependencies.

Every command gets what it needs from ``build_system``; subsystems wire themselves from the ``System`` it
returns (``sori.telephony_wiring``, ``sori.dashboard_wiring``, ``sori.sms_wiring``) and never build an engine
of their own.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from analytics.http_status import STATUS as ANALYTICS_STATUS
from analytics.pii.mask import mask as mask_pii
from analytics.search.es_index import ElasticIndex
from analytics.search.port import SearchIndex
from analytics.search.sqlite_index import SqliteIndex
from crm.api.app import build_router
from crm.api.auth import LoginLimiter
from crm.api.deps import ApiDeps
from crm.api.http_status import STATUS as CRM_STATUS
from crm.api.sessions import AgentSessions
from crm.api.tools import AgentTools
from crm.cases.complaint_text import mask_rrn
from crm.cases.continuity import ContinuityPolicy
from crm.cases.suggestions import CategorySuggester
from crm.cases.wrap_up_codes import WrapUpCodeBook
from crm.door.sql_contacts import SqlPhoneContacts
from crm.door.sql_transcription import SqlTranscriptionQueue
from crm.store.engine import make_engine
from crm.store.uow import UnitOfWorkFactory
from integrations.http_status import STATUS as INTEGRATIONS_STATUS
from integrations.sms.port import SmsGateway
from kernel.calendar import WorkCalendar
from kernel.http.errors import STATUS as KERNEL_STATUS
from kernel.http.errors import StatusTable
from sori.case_work_wiring import desk_callback_notice, desk_offers
from sori.config import Settings
from telephony.control import api as desk_api
from telephony.control.api import DeskRef
from telephony.cti import api as cti_api
from telephony.cti.bus import CtiBus
from telephony.http_status import STATUS as TELEPHONY_STATUS


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class System:
    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    contacts: SqlPhoneContacts  # the case store's phone contacts and continuity facts (crm.door)
    transcriptions: SqlTranscriptionQueue  # the post-call transcription queue (crm.door)
    calendar: WorkCalendar
    policy: ContinuityPolicy
    rrn_key: bytes
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    cti: CtiBus = field(default_factory=lambda: CtiBus(utc_now))
    desk: DeskRef = field(default_factory=lambda: DeskRef(None))  # the telephony desk, once it runs
    sms: SmsGateway | None = None  # set by sori.sms_wiring.attach_sms when `sori up` runs (tests: in memory)
    tools: AgentTools | None = None  # set by sori.tools_wiring.attach_tools when `sori up` runs
    suggester: CategorySuggester | None = None  # set by sori.case_work_wiring.attach_suggestions (`sori up`)
    _limiter: LoginLimiter | None = field(default=None, init=False, repr=False)

    def login_limiter(self) -> LoginLimiter:
        """One failed-login count for the API and the dashboards' login page."""
        if self._limiter is None:
            http = self.settings.http
            self._limiter = LoginLimiter(
                http.login_max_failures,
                http.login_window_seconds,
                base_delay_s=http.login_base_delay_s,
                max_delay_s=http.login_max_delay_s,
                forget_s=http.login_forget_seconds,
                address_free_failures=http.login_address_max_failures,
                burst_failures=http.login_burst_failures,
                max_keys=http.login_max_keys,
            )
        return self._limiter

    def sessions(self, token_hours: float | None = None) -> AgentSessions:
        """Agents' sign-in sessions (the API's login rule, tokens and throttle), for the dashboards and the
        console; ``token_hours`` overrides the API's token lifetime (the console's tokens live as long as its
        sessions may, and are revoked when they end)."""
        hours = token_hours if token_hours is not None else self.settings.http.token_hours
        return AgentSessions(self.uow, self.login_limiter(), self.clock, hours)

    def search_index(self) -> SearchIndex:
        """A new handle on the configured search index (the caller closes it)."""
        return open_index(self.settings)

    def api_routes(self) -> list[Callable[[Any], None]]:
        return extra_routes(self.cti, self.desk)

    def api_deps(self) -> ApiDeps:
        http = self.settings.http
        return ApiDeps(
            rrn_key=self.rrn_key,
            policy=self.policy,
            calendar=self.calendar,
            limiter=self.login_limiter(),
            token_hours=http.token_hours,
            sms=self.sms,
            tools=self.tools,
            sip_realm=self.settings.edge.realm,
            statuses=STATUSES,
            complaint_masker=mask_complaint_text,
            complaint_due_days=self.settings.continuity.complaint_due_working_days,
            wrap_up_codes=WrapUpCodeBook(self.settings.wrap_up.codes),
            suggester=self.suggester,
            recordings_dir=recordings_dir(self.settings),
            callback_scheduled=desk_callback_notice(self.desk),
            offered_caller=desk_offers(self.desk),
        )


def mask_complaint_text(text: str) -> str:
    """The 신문고 inbox's masker port (``crm.cases.complaint_text``), filled with analytics' PII masker, then the
    inbox's own 주민등록번호 rule: it also catches spellings the analytics masker leaves (an impossible date,
    odd dashes or spacing), so the masked copy analytics reads never holds one."""
    return mask_rrn(mask_pii(text).text)


#: Every package's error codes and their HTTP statuses, joined once.
STATUSES = StatusTable(KERNEL_STATUS, CRM_STATUS, TELEPHONY_STATUS, ANALYTICS_STATUS, INTEGRATIONS_STATUS)


def extra_routes(cti: CtiBus, desk: DeskRef | None = None) -> list[Callable[[Any], None]]:
    """Routes other parts add to the HTTP API (the case store's own are always there)."""
    ref = desk or DeskRef(None)
    return [lambda router: cti_api.register(router, cti), lambda router: desk_api.register(router, ref)]


def openapi_document() -> dict[str, Any]:
    """The HTTP API's OpenAPI document (``docs/openapi.json``): every route of ``sori up``, with no database."""
    deps = ApiDeps(rrn_key=b"\0" * 32, policy=ContinuityPolicy(), calendar=WorkCalendar(), limiter=LoginLimiter(1, 1),
                   statuses=STATUSES)  # fmt: skip
    build_router(deps, extra_routes(CtiBus(utc_now)))
    return deps.openapi()


def index_path(settings: Settings) -> Path:
    """The embedded search index's file."""
    return settings.analytics.index_path or settings.state_dir / "analytics" / "search.db"


def open_index(settings: Settings) -> SearchIndex:
    """The configured search index: embedded (SQLite FTS5, created if missing) or Elasticsearch (SORI_ES_URL)."""
    if settings.analytics.search == "elasticsearch":
        if settings.es_url is None:
            raise ValueError('analytics.search is "elasticsearch" but SORI_ES_URL is not set')
        return ElasticIndex(settings.es_url, prefix=settings.analytics.es_index_prefix)
    return SqliteIndex(index_path(settings))


def recordings_dir(settings: Settings) -> Path:
    """Where answered calls are recorded (and the transcriber and the purge find them)."""
    return settings.telephony.recordings_dir or settings.state_dir / "recordings"


def load_rrn_key(settings: Settings) -> bytes:
    """The 주민등록번호 hash key: from configuration, else a key file (created 0600 on first use).

    The key never lives in the repository; losing it makes stored hashes unmatchable.
    """
    privacy = settings.privacy
    if privacy.rrn_hash_key:
        key = bytes.fromhex(privacy.rrn_hash_key)
    else:
        path = privacy.rrn_key_file or settings.state_dir / "secrets" / "rrn-hash.key"
        key = _read_or_create_key(path)
    if len(key) < 16:
        raise ValueError("the resident-number hash key must be at least 16 bytes")
    return key


def _read_or_create_key(path: Path) -> bytes:
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def build_system(settings: Settings, clock: Callable[[], dt.datetime] = utc_now) -> System:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url, pool_size=settings.database.threads)
    uow = UnitOfWorkFactory(engine)
    c = settings.continuity
    return System(
        settings=settings,
        engine=engine,
        uow=uow,
        contacts=SqlPhoneContacts(engine),
        transcriptions=SqlTranscriptionQueue(uow),
        calendar=WorkCalendar(settings.calendar.temporary_holidays),
        policy=ContinuityPolicy(c.open_case_days, c.callback_minutes, c.handoff_due_working_days),
        rrn_key=load_rrn_key(settings),
        clock=clock,
        cti=CtiBus(clock),
    )
