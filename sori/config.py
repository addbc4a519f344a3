"""Typed, layered configuration: defaults, then a TOML file, then ``SORI_*`` environment, then CLI flags.

With no file at all Sori runs embedded: SQLite under ``./var/``, HTTP on
127.0.0.1:8080. Nested keys are reached in the environment with a double
underscore: ``SORI_HTTP__PORT=8081``, ``SORI_DATABASE__URL=postgresql://…``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from console.reasons import ReasonBook
from crm.cases.wrap_up_codes import WrapUpCodeBook
from integrations.settings import IntegrationsConfig
from telephony.edge.settings import EdgeConfig


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HttpConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    token_hours: float = Field(8.0, gt=0, le=24)
    # Failed logins (crm.api.throttle): free tries per (address, login), then each attempt waits
    # login_base_delay_s · 2^n up to login_max_delay_s; a pair is forgotten login_forget_seconds after its last
    # failure, an address login_window_seconds after its last. Never a lock-out of a login from every address.
    login_max_failures: int = Field(5, ge=1)
    login_window_seconds: int = Field(900, ge=10)
    login_base_delay_s: float = Field(1.0, gt=0, le=60)
    login_max_delay_s: float = Field(900.0, ge=1, le=86_400)
    login_forget_seconds: int = Field(86_400, ge=60)
    login_address_max_failures: int = Field(100, ge=1)  # per address across logins (password spraying)
    login_burst_failures: int = Field(20, ge=2)  # a WARNING `login-failure-burst` at this many, and each doubling
    login_max_keys: int = Field(100_000, ge=100, le=10_000_000)  # the throttle's memory bound (LRU)


class DatabaseConfig(_Section):
    url: str | None = None  # default: sqlite under the state directory
    threads: int = Field(8, ge=1, le=64)


class PrivacyConfig(_Section):
    rrn_hash_key: str | None = None  # hex; prefer a key file
    rrn_key_file: Path | None = None  # default: <state>/secrets/rrn-hash.key, created on first run


class ContinuityConfig(_Section):
    open_case_days: int = Field(7, ge=1, le=365)
    callback_minutes: int = Field(30, ge=1, le=1440)
    handoff_due_working_days: int = Field(7, ge=1, le=60)
    complaint_due_working_days: int = Field(7, ge=1, le=60)  # 신문고 처리기한 from receipt


class CalendarConfig(_Section):
    temporary_holidays: list[dt.date] = Field(default_factory=list)  # 임시공휴일


class RetentionConfig(_Section):
    """Days each kind of record is kept before ``sori purge`` removes it."""

    access_log_days: int = Field(1825, ge=730)  # at least 2 years, by law and by trigger
    auth_tokens_days: int = Field(30, ge=1)
    idempotency_keys_days: int = Field(2, ge=1)
    closed_cases_days: int = Field(3650, ge=365)
    done_callbacks_days: int = Field(365, ge=30)
    open311_contact_days: int = Field(365, ge=1)  # an Open311 submitter's contact fields and address
    purge_on_schedule: bool = True  # `sori up` purges by itself (else run `sori purge`, e.g. from cron)
    purge_every_hours: float = Field(24.0, ge=0.0001, le=24 * 31)
    purge_first_after_s: float = Field(600.0, ge=0, le=86400)  # after start: not while everything warms up


class AfterCallRule(_Section):
    """A center's after-call work (후처리): timed (ready by itself after ``seconds``), agent-ended (the
    agent ends it; ``seconds`` only inform the console) or none (straight back to ready)."""

    mode: Literal["timed", "agent-ended", "none"]
    seconds: float | None = Field(None, ge=0, le=3600)  # None: telephony.wrapup_s


class TelephonyConfig(_Section):
    """The media workers and prompts; the SIP edge has its own section (``[edge]``)."""

    enabled: bool = True
    workers: int = Field(2, ge=1, le=32)  # pjsua2 processes running from the start, 4 calls each
    spare_workers: int = Field(4, ge=0, le=64)  # the pool grows by up to this many under load, then shrinks
    worker_host: str = "127.0.0.1"
    worker_port_base: int = Field(5070, ge=1024, le=65000)  # workers listen on base … base+workers+spare-1
    prompt_rate: int = Field(160, ge=80, le=450)  # espeak-ng words per minute
    prompts_dir: Path | None = None  # default <state>/prompts (a cache: safe to delete)
    flows_dir: Path | None = None  # default: the flows shipped in telephony/ivr/flows
    recordings_dir: Path | None = None  # default <state>/recordings (WAV per answered call, after the notice)
    ring_timeout_s: float = Field(20.0, ge=3, le=120)  # an agent's phone rings this long before the next agent
    wrapup_s: float = Field(30.0, ge=0, le=900)  # after-call work before the agent is ready again
    agent_auto_answer: bool = False  # ask agents' phones to answer by themselves (Answer-Mode: Auto, answer-after=0)
    # Per center, e.g. {NTS126 = {mode = "agent-ended", seconds = 60}}; centers not named: timed, wrapup_s.
    after_call: dict[str, AfterCallRule] = Field(default_factory=dict)
    overflow_after_s: int | None = Field(60, ge=5)  # wait before partner centers' agents may take the call
    # The T of "answered within T": the ACD's queues and the wallboard's default (the wallboard may set it per
    # queue or skill: ``dashboard.wallboard_sl_thresholds_s``). One of the history's wait buckets, so that the
    # history can answer it: 10, 15, 20, 30, 45, 60, 90 or 120.
    service_level_s: int = Field(20, ge=1, le=600)
    # The supervisors' history: call records, state changes and their rollups are kept this many days; an
    # abandoned caller's number (for a callback) this many, then only its masked form stays with the record.
    call_records_retention_days: int = Field(400, ge=30, le=3650)
    abandoned_caller_retention_days: int = Field(7, ge=1, le=90)
    agents_refresh_s: float = Field(30.0, ge=1, le=3600)  # new or deactivated agents reach the edge and desk
    announce_every_s: float = Field(45.0, ge=5, le=600)  # waiting callers hear their position this often
    callback_delay_s: float = Field(60.0, ge=0, le=1800)  # after a drop, wait this long before calling back
    # Outside destinations an agent may blind-transfer a caller to, by name (e.g. {"police" = "tel:112"}):
    # agents pick one of these, never type an address.
    external_destinations: dict[str, str] = Field(default_factory=dict)

    @field_validator("service_level_s")
    @classmethod
    def _service_level_in_buckets(cls, value: int) -> int:
        from crm.door.tally import WAIT_EDGES_S

        if value not in WAIT_EDGES_S:
            raise ValueError(f"service_level_s: use one of {WAIT_EDGES_S} seconds (the history's wait buckets)")
        return value

    @field_validator("external_destinations")
    @classmethod
    def _destinations(cls, value: dict[str, str]) -> dict[str, str]:
        for name, uri in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", name):
                raise ValueError(f"destination name {name!r}: lower-case letters, digits and '-', at most 40")
            if not uri.startswith(("sip:", "sips:", "tel:")) or len(uri) > 200:
                raise ValueError(f"destination {name!r}: a sip:, sips: or tel: address of at most 200 characters")
        return value


class AnalyticsConfig(_Section):
    """Text analytics: the search index, the models, transcription."""

    search: str = Field("embedded", pattern="^(embedded|elasticsearch)$")  # embedded: SQLite FTS5, no server
    index_path: Path | None = None  # the embedded index; default <state>/analytics/search.db
    es_index_prefix: str = Field("sori", pattern="^[a-z][a-z0-9_-]{0,30}$")
    model_dir: Path | None = None  # trained classifiers; default <state>/analytics/models
    whisper_model_dir: Path | None = None  # a CTranslate2 Whisper directory; default <state>/models/whisper-base
    transcription_threads: int = Field(2, ge=1, le=32)
    transcription_workers: int = Field(1, ge=1, le=8)  # concurrent transcriptions (bounded: media comes first)
    transcribe_calls: bool = True  # recorded calls are transcribed after they end (`sori up` runs the transcriber)
    transcription_poll_s: float = Field(2.0, ge=0.1, le=300)  # how often the transcriber looks for new jobs
    transcription_nice: int = Field(10, ge=0, le=19)  # the transcriber's CPU priority (media workers come first)
    category_min_score: float = Field(0.0, ge=0, le=1)  # below this probability no category is suggested
    index_calls: bool = True  # `sori up` indexes new phone contacts (its indexer process) for the dashboards
    index_interval_s: float = Field(30.0, ge=0.2, le=3600)  # how often the indexer looks for new contacts
    index_nice: int = Field(10, ge=0, le=19)  # the indexer's CPU priority (calls come first)
    # Text complaints `sori up --demo` indexes once; None: the shared petitions if present, else the bundled sample
    demo_files: list[Path] | None = None


class DashboardConfig(_Section):
    """The web dashboards at ``/dashboard`` on the HTTP port (analysts now; supervisors and agents next)."""

    enabled: bool = True
    threads: int = Field(4, ge=1, le=32)  # requests served at once (reports run on these threads)
    report_cache_s: float = Field(60.0, ge=0, le=3600)  # a report is rebuilt at most this often per query
    # The session cookie's Secure flag: "auto" sets it whenever the request came over TLS (or a proxy says
    # X-Forwarded-Proto: https); true always (behind a TLS proxy that does not say so); false for plain-HTTP
    # development only.
    secure_cookie: bool | Literal["auto"] = "auto"
    # The live wallboard (telephony.board.wallboard.WallboardSettings): the service-level threshold in seconds (one
    # of crm.calls.tally.WAIT_EDGES_S) per queue ("ACRC110/general") or per skill where it differs from
    # ``telephony.service_level_s``; the target under which it alerts; the wait and the time in a state (per
    # state) over which it alerts.
    wallboard_sl_thresholds_s: dict[str, int] = {}
    wallboard_sl_target: float = Field(0.8, gt=0, le=1)
    wallboard_wait_limit_s: float = Field(60.0, gt=0)
    wallboard_state_limits_s: dict[str, float] = {"not-ready": 900.0, "wrap-up": 180.0, "on-call": 1200.0,
                                                  "ringing": 30.0}  # fmt: skip

    @model_validator(mode="after")
    def _wallboard(self) -> DashboardConfig:
        from sori.wallboard_settings import wallboard_settings  # deferred: the ACD's measures, only when checked

        wallboard_settings(self)  # raises ValueError for a threshold the tallies cannot answer
        return self


class ConsoleConfig(_Section):
    """The agents' web console at ``/console``."""

    # Each center's 이석 (not-ready) reasons as [code, Korean label] pairs, e.g. NTS126 = [["meal", "식사"]];
    # a center not named here gets the defaults (console.reasons.DEFAULT_REASONS).
    not_ready_reasons: dict[str, list[tuple[str, str]]] = {}

    @field_validator("not_ready_reasons")
    @classmethod
    def _reasons(cls, value: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
        ReasonBook(value)  # raises ValueError on an empty list, a blank code or label, a repeated code
        return value


class WrapUpConfig(_Section):
    """Wrap-up (disposition) codes agents pick when a contact ends."""

    # Each center's codes as [code, Korean label] pairs, e.g. NTS126 = [["informed", "안내 완료"]]; a center not
    # named here gets the defaults (crm.cases.wrap_up_codes.DEFAULT_CODES).
    codes: dict[str, list[tuple[str, str]]] = {}

    @field_validator("codes")
    @classmethod
    def _codes(cls, value: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
        WrapUpCodeBook(value)  # raises ValueError on an empty list, a bad code or label, a repeated code
        return value


class Open311Config(_Section):
    """Open311 GeoReport v2 at ``/open311/v2`` (crm.api.open311): apps file 민원 with an API key."""

    enabled: bool = True
    # A POST body over this is 413; 4,000 Korean characters form-encoded are about 36 kB.
    max_body_bytes: int = Field(65536, ge=1024, le=1024 * 1024)
    # Token buckets (crm.open311.limits): per API key and per remote address, requests a minute and burst.
    rate_per_minute_key: float = Field(120, gt=0, le=100_000)
    burst_key: int = Field(60, ge=1, le=100_000)
    rate_per_minute_address: float = Field(60, gt=0, le=100_000)
    burst_address: int = Field(30, ge=1, le=100_000)
    # Held for review: the same content from this many other apps or addresses in a day, or a description
    # with more than max_links links (crm.open311.intake.IntakeRules).
    hold_after_duplicates: int = Field(3, ge=1, le=1000)
    max_links: int = Field(3, ge=0, le=100)
    classify_interval_s: float = Field(5.0, ge=0.1, le=3600)  # new requests get a category suggestion this often
    # The most requests one GET requests returns (the spec's cap, 1,000, is also the most allowed).
    max_requests: int = Field(1000, ge=1, le=1000)


class LogConfig(_Section):
    level: str = "INFO"
    file: Path | None = None  # default: stdout


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SORI_", env_nested_delimiter="__", extra="forbid")

    state_dir: Path = Path("var")
    config_file: Path | None = None
    http: HttpConfig = HttpConfig()
    database: DatabaseConfig = DatabaseConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    continuity: ContinuityConfig = ContinuityConfig()
    calendar: CalendarConfig = CalendarConfig()
    retention: RetentionConfig = RetentionConfig()
    log: LogConfig = LogConfig()
    edge: EdgeConfig = EdgeConfig()
    telephony: TelephonyConfig = TelephonyConfig()
    analytics: AnalyticsConfig = AnalyticsConfig()
    dashboard: DashboardConfig = DashboardConfig()
    console: ConsoleConfig = ConsoleConfig()
    wrap_up: WrapUpConfig = WrapUpConfig()
    integrations: IntegrationsConfig = IntegrationsConfig()  # [integrations.sms]: the SMS gateway
    open311: Open311Config = Open311Config()
    # An Elasticsearch cluster (SORI_ES_URL, e.g. http://127.0.0.1:9200): used when analytics.search is
    # "elasticsearch", and the search contract tests run against it when set.
    es_url: str | None = Field(None, pattern=r"^https?://")

    @field_validator("state_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest first: CLI flags (init kwargs), environment, then the TOML file.
        toml_file = _config_file_path(init_settings)
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.state_dir / 'sori.db'}"


def _config_file_path(init_settings: PydanticBaseSettingsSource) -> Path | None:
    given = init_settings().get("config_file") or os.environ.get("SORI_CONFIG_FILE")
    if given:
        path = Path(given)
        if not path.is_file():
            raise FileNotFoundError(f"configuration file {path} does not exist")
        return path
    default = Path("sori.toml")
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Settings from every layer; ``overrides`` are the CLI flags (nested as dicts), None values dropped.

    A ``SORI_*`` variable that names no setting is an error (``SORI_HTTP_PORT`` for ``SORI_HTTP__PORT``
    would otherwise be ignored silently).
    """
    known = set(Settings.model_fields)
    unknown = sorted(
        name for name in os.environ if name.startswith("SORI_") and name[5:].lower().split("__")[0] not in known
    )
    if unknown:
        raise ValueError(
            f"unknown setting(s) in the environment: {', '.join(unknown)} (nested keys use '__', e.g. SORI_HTTP__PORT)"
        )
    return Settings(**_drop_none(overrides))


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            nested = _drop_none(value)
            if nested:
                cleaned[key] = nested
        elif value is not None:
            cleaned[key] = value
    return cleaned
