"""A synthetic but realistically shaped case store, loaded fast with bulk Core inserts (COPY on PostgreSQL).

Shape (fixed by ``seed``): the 156 real centers; a few agents per center; every
citizen with one mobile number; two years of contacts in which every citizen
called at least once, 1% of citizens are frequent callers (a quarter of the
remaining contacts, about 100 each at full size), and the rest fall uniformly.
Each citizen has a home center (center popularity is Zipf-like, so 110 and 120
are busiest); 8% of contacts are abandoned in queue (no case), the others open
a case or continue one at the same center touched in the last week. Row ids
follow time, as in a live system, so a citizen's contacts are spread over the
table rather than stored together.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, Table, text

from bench.common import Stopwatch, say
from crm.api.auth import hash_password
from crm.cases.model import Channel, Disposition, EventKind
from crm.cases.status import CaseStatus
from crm.store import migrate, tables
from kernel.actor import Role
from sori.seed.demo import CENTERS_FILE, read_centers_file, seed_centers
from sori.wiring import System

BENCH_PASSWORD = "bench-password-2026"
AGENTS_PER_CENTER = 4
HISTORY_DAYS = 730
BATCH = 20_000

TOPICS = [
    ("세금", "종합소득세 신고 기한과 납부 방법 문의"), ("세금", "연말정산 부양가족 공제 요건 문의"),
    ("노동", "실업급여 수급 자격과 신청 절차 문의"), ("노동", "임금체불 진정 접수 방법 문의"),
    ("복지", "기초연금 수급 자격 확인 요청"), ("복지", "긴급복지 생계지원 신청 문의"),
    ("행정", "주민등록등본 발급 방법 문의"), ("행정", "여권 재발급 구비서류 문의"),
    ("교통", "버스 노선 변경 민원"), ("교통", "불법 주정차 신고 처리 결과 문의"),
    ("환경", "층간소음 분쟁 상담 요청"), ("민원", "국민신문고 민원 처리 지연 문의"),
]
CHANNELS = [(Channel.INBOUND_CALL, 80), (Channel.CALLBACK, 5), (Channel.OUTBOUND_CALL, 5), (Channel.SMS, 5),
            (Channel.SINMUNGO_TEXT, 3), (Channel.AGENT_NOTE, 2)]
NOTE_TAIL = "관련 절차와 구비서류 안내 완료, 추가 문의 시 재연락 요청."
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ["민준", "서연", "도윤", "지우", "하은", "예준", "서윤", "시우", "지호", "수아", "영수", "순자", "정희"]
SIDO = ["서울특별시", "경기도", "부산광역시", "인천광역시", "대구광역시", "광주광역시", "대전광역시", "충청남도"]


def phone_digits(citizen_id: int) -> str:
    """A distinct valid mobile number per citizen id below 40 million (010-6000-0000 to 010-9999-9999, scrambled)."""
    return f"010{60_000_000 + (citizen_id * 7919 + 12_345_678) % 40_000_000:08d}"


def phone_display(citizen_id: int) -> str:
    digits = phone_digits(citizen_id)
    return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"


@dataclass
class Dataset:
    citizens: int
    interactions: int
    cases: int
    case_events: int
    centers: list[str]
    agents: dict[str, list[int]]  # center -> agent ids
    frequent_callers: list[int]  # citizen ids
    load_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_load_seconds(self) -> float:
        return round(sum(self.load_seconds.values()), 1)


@dataclass
class _Case:
    created: float  # seconds since the start of the history
    citizen_id: int
    center: int
    agent_id: int
    topic: int
    last: float = 0.0
    contacts: int = 1
    id: int = 0


@dataclass
class _Plan:
    citizen_first: list[float]  # per citizen id - 1: first contact (the citizen's creation)
    interactions: list[tuple[float, int, int, int, int]]  # (start, citizen_id, center, case index or -1, agent)
    cases: list[_Case]
    frequent: list[int]  # citizen ids


def load(system: System, citizens: int, interactions: int, seed: int = 2026,
         progress: Callable[[str], None] = say) -> Dataset:
    """Migrate an empty database and fill it; returns what was loaded and how long each step took."""
    engine = system.engine
    timings: dict[str, float] = {}
    watch = Stopwatch()
    migrate.upgrade(engine)
    seed_centers(system)
    centers = [c.code for c in read_centers_file(CENTERS_FILE)[0]]
    timings["migrate+centers"] = round(watch.seconds, 2)
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    origin = now - dt.timedelta(days=HISTORY_DAYS)
    watch = Stopwatch()
    agents = {code: [i * AGENTS_PER_CENTER + k + 1 for k in range(AGENTS_PER_CENTER)]
              for i, code in enumerate(centers)}
    plan = _plan(rng, citizens, interactions, len(centers), agents, centers)
    timings["plan"] = round(watch.seconds, 2)
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        step = Stopwatch()
        writer.write(tables.agents, _agent_rows(centers, agents, now))
        writer.write(tables.citizens, _citizen_rows(rng, plan, origin))
        writer.write(tables.citizen_phones, _phone_rows(plan, origin))
        timings["citizens"] = round(step.seconds, 2)
        progress(f"  loaded {len(centers)} centers, {len(centers) * AGENTS_PER_CENTER} agents, "
                 f"{citizens:,} citizens with phones in {step.seconds:.1f} s")
        step = Stopwatch()
        writer.write(tables.cases, _case_rows(rng, plan, centers, origin, now))
        writer.write(tables.case_sequences, _sequence_rows(plan, centers, origin))
        writer.write(tables.case_events, _event_rows(plan, centers, origin))
        timings["cases"] = round(step.seconds, 2)
        progress(f"  loaded {len(plan.cases):,} cases (one creation event each) in {step.seconds:.1f} s")
        step = Stopwatch()
        writer.write(tables.interactions, _interaction_rows(rng, plan, centers, origin))
        timings["interactions"] = round(step.seconds, 2)
        progress(f"  loaded {len(plan.interactions):,} interactions in {step.seconds:.1f} s "
                 f"({len(plan.interactions) / max(step.seconds, 1e-9):,.0f} rows/s)")
    step = Stopwatch()
    _finish(system)
    timings["finish"] = round(step.seconds, 2)
    return Dataset(citizens=citizens, interactions=len(plan.interactions), cases=len(plan.cases),
                   case_events=len(plan.cases), centers=centers, agents=agents,
                   frequent_callers=plan.frequent if interactions > citizens else [], load_seconds=timings)


def _plan(rng: random.Random, citizens: int, interactions: int, n_centers: int, agents: dict[str, list[int]],
          centers: list[str]) -> _Plan:
    span = HISTORY_DAYS * 86400.0
    counts = [0] * citizens
    for index in (range(citizens) if interactions >= citizens else rng.sample(range(citizens), interactions)):
        counts[index] = 1
    extra = max(0, interactions - citizens)
    frequent = rng.sample(range(citizens), max(1, citizens // 100))
    for _ in range(extra // 4):
        counts[frequent[rng.randrange(len(frequent))]] += 1
    for _ in range(extra - extra // 4):
        counts[rng.randrange(citizens)] += 1
    weights = [1 / (i + 1) ** 0.9 for i in range(n_centers)]
    cum = list(_accumulate(weights))
    homes = rng.choices(range(n_centers), cum_weights=cum, k=citizens)
    week = 7 * 86400.0
    first = [span] * citizens
    rows: list[tuple[float, int, int, int, int]] = []
    cases: list[_Case] = []
    for index, count in enumerate(counts):
        if count == 0:
            continue
        citizen_id = index + 1
        open_cases: dict[int, int] = {}
        starts = sorted(rng.random() * span for _ in range(count))
        first[index] = starts[0]
        for start in starts:
            center = homes[index] if rng.random() < 0.7 else rng.choices(range(n_centers), cum_weights=cum)[0]
            pool = agents[centers[center]]
            agent = pool[rng.randrange(len(pool))]
            if rng.random() < 0.08:
                rows.append((start, citizen_id, center, -1, 0))
                continue
            current = open_cases.get(center)
            if current is not None and start - cases[current].last < week and rng.random() < 0.7:
                cases[current].last = start
                cases[current].contacts += 1
            else:
                current = len(cases)
                cases.append(_Case(start, citizen_id, center, agent, rng.randrange(len(TOPICS)), last=start))
                open_cases[center] = current
            rows.append((start, citizen_id, center, current, agent))
    # Ids follow time, as in a live store.
    for case_id, case in enumerate(sorted(cases, key=lambda c: c.created), start=1):
        case.id = case_id
    rows.sort(key=lambda r: r[0])
    return _Plan(first, rows, cases, [index + 1 for index in frequent])


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _at(origin: dt.datetime, seconds: float) -> dt.datetime:
    return origin + dt.timedelta(seconds=round(seconds, 3))


def _agent_rows(centers: list[str], agents: dict[str, list[int]], now: dt.datetime) -> Iterator[dict[str, Any]]:
    password = hash_password(BENCH_PASSWORD)
    for code in centers:
        for k, agent_id in enumerate(agents[code]):
            yield {"id": agent_id, "center_code": code, "login": f"bench.{code.lower()}.{k}",
                   "display_name": f"상담사 {code} {k}", "role": Role.AGENT.value, "skills": {"general": 3},
                   "password_hash": password, "active": True, "created_at": now}


def _citizen_rows(rng: random.Random, plan: _Plan, origin: dt.datetime) -> Iterator[dict[str, Any]]:
    for index, first in enumerate(plan.citizen_first):
        created = _at(origin, first)
        yield {"id": index + 1, "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "rrn_hash": None,
               "rrn_masked": None, "birth_year": rng.randint(1935, 2006), "sex": rng.choice("MF"),
               "region_sido": rng.choice(SIDO), "region_sigungu": None, "consent_recording_at": created,
               "consent_eligibility_at": None, "created_at": created, "updated_at": created, "version": 1}


def _phone_rows(plan: _Plan, origin: dt.datetime) -> Iterator[dict[str, Any]]:
    for index, first in enumerate(plan.citizen_first):
        yield {"id": index + 1, "citizen_id": index + 1, "digits": phone_digits(index + 1), "kind": "mobile",
               "added_at": _at(origin, first)}


def _number(case: _Case, centers: list[str], origin: dt.datetime, counters: dict[tuple[str, int], int]) -> str:
    code = centers[case.center]
    year = _at(origin, case.created).year
    counters[(code, year)] = counters.get((code, year), 0) + 1
    return f"{year}-{code}-{counters[(code, year)]}"


def _case_rows(rng: random.Random, plan: _Plan, centers: list[str], origin: dt.datetime,
               now: dt.datetime) -> Iterator[dict[str, Any]]:
    counters: dict[tuple[str, int], int] = {}
    recent = (now - origin).total_seconds() - 30 * 86400
    for case in sorted(plan.cases, key=lambda c: c.id):
        category, summary = TOPICS[case.topic]
        if case.last < recent:
            status = CaseStatus.CLOSED if rng.random() < 0.6 else CaseStatus.RESOLVED
        else:
            status = rng.choice([CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED,
                                 CaseStatus.WAITING_CALLBACK])
        yield {"id": case.id, "number": _number(case, centers, origin, counters), "citizen_id": case.citizen_id,
               "origin_channel": Channel.INBOUND_CALL.value, "owner_center": centers[case.center],
               "owner_agent_id": case.agent_id, "status": status.value, "category": category,
               "suggested_category": None, "summary": summary, "due_at": None, "merged_into": None,
               "created_at": _at(origin, case.created), "updated_at": _at(origin, case.last + 600), "version": 1}


def _sequence_rows(plan: _Plan, centers: list[str], origin: dt.datetime) -> Iterator[dict[str, Any]]:
    counters: dict[tuple[str, int], int] = {}
    for case in sorted(plan.cases, key=lambda c: c.id):
        _number(case, centers, origin, counters)
    for (code, year), last in sorted(counters.items()):
        yield {"center_code": code, "year": year, "last_value": last}


def _event_rows(plan: _Plan, centers: list[str], origin: dt.datetime) -> Iterator[dict[str, Any]]:
    for case in sorted(plan.cases, key=lambda c: c.id):
        yield {"id": case.id, "case_id": case.id, "at": _at(origin, case.created), "kind": EventKind.CREATED.value,
               "actor_agent_id": case.agent_id, "actor": f"agent:{case.agent_id}", "before": None,
               "after": {"status": "open", "owner_center": centers[case.center], "citizen_id": case.citizen_id}}


def _interaction_rows(rng: random.Random, plan: _Plan, centers: list[str],
                      origin: dt.datetime) -> Iterator[dict[str, Any]]:
    channels = [c for c, _ in CHANNELS]
    channel_cum = list(_accumulate(w for _, w in CHANNELS))
    case_ids = [c.id for c in plan.cases]
    topics = [c.topic for c in plan.cases]
    for interaction_id, (start, citizen_id, center, case_index, agent) in enumerate(plan.interactions, start=1):
        started = _at(origin, start)
        wait = rng.randint(3, 180)
        code = centers[center]
        masked = f"010-****-{phone_digits(citizen_id)[-4:]}"
        row: dict[str, Any] = {
            "id": interaction_id, "citizen_id": citizen_id, "center_code": code, "caller_masked": masked,
            "started_at": started, "queued_at": started, "wait_seconds": wait, "transcript": None,
            "sip_call_id": f"{interaction_id:x}-{citizen_id:x}@edge.sori.local",
            "verified_by": None, "verified_method": None, "verified_at": None,
        }
        if case_index < 0:
            ended = started + dt.timedelta(seconds=wait)
            row.update(case_id=None, channel=Channel.INBOUND_CALL.value, agent_id=None, answered_at=None,
                       ended_at=ended, completed_at=ended, talk_seconds=None, wrapup_seconds=None,
                       disposition=Disposition.ABANDONED_IN_QUEUE.value, notes=None, recording_ref=None)
        else:
            channel = rng.choices(channels, cum_weights=channel_cum)[0]
            answered = started + dt.timedelta(seconds=wait)
            talk, wrapup = rng.randint(40, 900), rng.randint(10, 180)
            ended = answered + dt.timedelta(seconds=talk)
            verified = rng.random() < 0.3
            row.update(case_id=case_ids[case_index], channel=channel.value, agent_id=agent, answered_at=answered,
                       ended_at=ended, completed_at=ended + dt.timedelta(seconds=wrapup), talk_seconds=talk,
                       wrapup_seconds=wrapup,
                       disposition=rng.choice([Disposition.ANSWERED, Disposition.RESOLVED]).value,
                       notes=f"{TOPICS[topics[case_index]][1]}. {NOTE_TAIL}",
                       recording_ref=f"rec/{code}/{started:%Y/%m/%d}/{interaction_id}.opus")
            if verified:
                row.update(verified_by=agent, verified_method="birth-date-and-name", verified_at=answered)
        yield row


class BulkWriter:
    """Bulk inserts on one connection: COPY on PostgreSQL, driver-level executemany batches on SQLite.

    Values are converted here as the column types would store them (UTC datetimes in
    SQLAlchemy's SQLite text form, JSON as text), which is what makes this fast.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        if not self.postgres:
            # Only this loading connection: the benchmarks then read with the production page cache.
            conn.exec_driver_sql("PRAGMA cache_size=-1000000")

    def write(self, table: Table, rows: Iterable[dict[str, Any]]) -> int:
        written = 0
        for batch in _batches(rows, BATCH):
            written += len(batch)
            columns = list(batch[0])
            converters = [(c, conv) for c in columns if (conv := _converter(table, c, self.postgres)) is not None]
            for row in batch:
                for column, convert in converters:
                    if row[column] is not None:
                        row[column] = convert(row[column])
            quote = self.conn.dialect.identifier_preparer.quote
            names = ", ".join(quote(c) for c in columns)
            if self.postgres:
                raw: Any = self.conn.connection.driver_connection
                with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(tuple(row.values()))
            else:
                marks = ", ".join("?" * len(columns))
                self.conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})",
                                          [tuple(row.values()) for row in batch])
        return written


def _converter(table: Table, column: str, postgres: bool) -> Callable[[Any], Any] | None:
    kind = table.c[column].type
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, tables.UTCDateTime) and not postgres:
        return _sqlite_datetime
    return None


def _sqlite_datetime(value: dt.datetime) -> str:
    # crm.store.tables.UTCDateTime stores naive UTC in SQLAlchemy's SQLite DateTime text form.
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(system: System) -> None:
    """After a bulk load: PostgreSQL sequences past the loaded ids, then statistics, as autovacuum would."""
    engine = system.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("agents", "citizens", "citizen_phones", "cases", "case_events", "interactions"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
            conn.execute(text("VACUUM ANALYZE"))
    else:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
