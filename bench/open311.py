"""Open311 GeoReport v2 through ``sori up``'s service tree: how fast apps can file, how fast they read back.

    .venv/bin/python -m bench.open311                          # SQLite, 1,000,000 stored requests, ~6 min
    .venv/bin/python -m bench.open311 --quick                  # 100,000 stored requests, 10-s load phases, ~2 min
    .venv/bin/python -m bench.open311 --backend both           # also PostgreSQL (started and stopped here)
    .venv/bin/python -m bench.open311 --reads-only             # load and the reads only (no filing phases)

(a) **Filing**: ``POST /open311/v2/requests.json`` form-encoded as an app sends it — varied Korean descriptions,
local services (routed by a Seoul/Busan/… address or by lat/long) and national ones, the attributes each service
requires, one distinct ``Idempotency-Key`` each — from 5 apps (keys). One at a time for 10 s (the service
time), then open loop at 50/s for 30 s, then at 100/s (``--quick``: 10 s each; latency counted from the moment
each request was due, so a stalled server is not hidden by a client that waited), then closed loop: 16 client
threads back to back for 20 s (the ceiling). Every
request is a real filing: the key checked, validated, routed, the duplicate lookup, the request row, the
complaint and its event, one commit. The per-key and per-address rate limits (all clients are 127.0.0.1) and
the hold-after-duplicates rule are RAISED in the settings this benchmark builds, and every description is
distinct, so neither 429s nor held/duplicate answers distort the figures (the run counts them anyway).
Target: at least 50/s with p99 under 200 ms.
(b) **Reading**: accepted requests with their complaints (and received/answered/closed events) bulk-loaded over
the last year from 20 apps of Zipf-like sizes (1,000,000, ``--quick`` 100,000; executemany on SQLite, COPY on
PostgreSQL), then ``GET`` as the busiest app: one request by id with its key, a list of 10 ids, the default
query (the last 90 days, capped at 1,000 by the spec), service_code + status in a 7-day window, and one id
without a key (public fields). Target p99 under 50 ms. The default query is also split in process into the
driver's SQL time, the rest of the service (ORM rows, views) and rendering.

The client shares the process (and the GIL) with the server, as in the integration tests and the other HTTP
benchmarks: the figures are pessimistic for a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Connection, text

from bench.common import (
    BACKENDS,
    Database,
    Latency,
    StatementLog,
    Stopwatch,
    database,
    emit_json,
    header,
    machine,
    make_system,
    say,
    stop_on_sigterm,
    workdir,
)
from bench.dataset import BulkWriter
from crm.api.open311 import formats
from crm.open311 import reads
from crm.open311.catalog import GENERAL_CENTER, Catalog, Service
from crm.open311.keys import create_app_key
from crm.open311.model import RequestQuery
from crm.store import migrate, tables
from crm.store.open311_tables import open311_requests
from kernel.calendar import SEOUL
from sori.open311_wiring import load_system_catalog, operations
from sori.runtime import settle_heap
from sori.seed.demo import seed_centers
from sori.wiring import System
from tests.support.api import RunningApi

FULL, QUICK = 1_000_000, 100_000
LOADED_APPS = 20
POSTING_APPS = 5
RATES = (50.0, 100.0)
CLOSED_THREADS = 16
POST_TARGET_RATE, POST_TARGET_P99_MS = 50.0, 200.0
READ_TARGET_P99_MS = 50.0
CHUNK = 50_000  # requests generated and written per round (their complaints and events with them)
# What this benchmark raises in the settings it builds, so that only the server's own speed is measured.
RAISED_LIMITS = {
    "rate_per_minute_key": 100_000.0,
    "burst_key": 100_000,
    "rate_per_minute_address": 100_000.0,
    "burst_address": 100_000,
    "hold_after_duplicates": 1000,
}
OPEN311 = "/open311/v2/"

# -- what apps send -------------------------------------------------------------------------------------------
PLACES = (  # (address stem, lat, long): 시·도 by address; the point for the lat/long variant
    ("서울특별시 중구 세종대로", 37.5665, 126.9780),
    ("서울특별시 강남구 테헤란로", 37.5045, 127.0490),
    ("서울특별시 노원구 동일로", 37.6542, 127.0568),
    ("부산광역시 해운대구 해운대로", 35.1631, 129.1635),
    ("부산광역시 부산진구 중앙대로", 35.1579, 129.0594),
    ("대구광역시 중구 공평로", 35.8714, 128.6014),
    ("인천광역시 남동구 정각로", 37.4563, 126.7052),
    ("광주광역시 서구 내방로", 35.1595, 126.8526),
    ("대전광역시 서구 둔산로", 36.3504, 127.3845),
    ("경기도 수원시 팔달구 효원로", 37.2636, 127.0286),
    ("경기도 성남시 분당구 성남대로", 37.4200, 127.1267),
    ("강원특별자치도 춘천시 중앙로", 37.8813, 127.7298),
    ("충청북도 청주시 상당구 상당로", 36.6424, 127.4890),
    ("전북특별자치도 전주시 완산구 효자로", 35.8242, 127.1480),
    ("경상남도 창원시 의창구 중앙대로", 35.2280, 128.6811),
    ("제주특별자치도 제주시 문연로", 33.4996, 126.5312),
)
TEXTS: dict[str, tuple[str, ...]] = {
    "ROAD-DAMAGE": (
        "{spot} 도로에 포트홀이 생겨 차량 바퀴가 빠질 뻔했습니다. 빠른 보수 부탁드립니다.",
        "{spot} 보도블록이 들떠 있어 어르신들이 걸려 넘어질 위험이 있습니다.",
        "비가 온 뒤 {spot} 차도가 움푹 꺼졌습니다. 야간에는 잘 보이지 않아 위험합니다.",
    ),
    "ILLEGAL-PARKING": (
        "{spot} 소화전 앞에 차량이 장시간 주차되어 있습니다. 단속 부탁드립니다.",
        "{spot} 횡단보도 위에 차가 세워져 있어 아이들이 차도로 돌아서 건넙니다.",
    ),
    "STREETLIGHT": (
        "{spot} 가로등이 며칠째 꺼져 있어 밤길이 너무 어둡습니다.",
        "{spot} 보행 신호등이 깜빡이기만 하고 바뀌지 않습니다.",
    ),
    "ILLEGAL-DUMPING": (
        "{spot} 골목에 대형 폐기물과 음식물 쓰레기가 무단으로 버려져 악취가 납니다.",
        "{spot} 공터에 건축 폐자재가 쌓여 있습니다. 수거와 단속을 요청합니다.",
    ),
    "NOISE": (
        "{spot} 공사장에서 새벽 6시부터 소음이 심해 잠을 잘 수 없습니다.",
        "{spot} 상가 확성기 소리가 하루 종일 커서 생활이 어렵습니다.",
    ),
    "ILLEGAL-SIGNS": ("{spot} 전봇대마다 불법 현수막이 붙어 있어 운전 시야를 가립니다.",),
    "PARK-FACILITY": ("{spot} 어린이공원 그네 줄이 끊어져 아이들이 다칠까 걱정됩니다.",),
    "NATIONAL-TAX": ("종합소득세 환급금이 아직 입금되지 않았습니다. 처리 상황을 알고 싶습니다. ({spot} 거주)",),
    "WELFARE": ("기초연금 신청 후 결과 통보를 받지 못했습니다. 확인 부탁드립니다. ({spot} 거주)",),
    "EMPLOYMENT-LABOR": ("석 달째 임금을 받지 못하고 있습니다. 체불임금 신고 방법을 알려 주십시오. ({spot} 사업장)",),
    "NATIONAL-PENSION": ("국민연금 납부 예외 신청을 했는데 고지서가 계속 나옵니다. ({spot} 거주)",),
    "HEALTH-INSURANCE": (
        "퇴직 후 건강보험료가 너무 많이 나왔습니다. 임의계속가입이 가능한지 문의합니다. ({spot} 거주)",
    ),
    "CONSUMER-DAMAGE": ("온라인에서 산 가전제품이 고장 났는데 판매자가 환불을 거부합니다. ({spot} 거주)",),
    "GENERAL-ADMIN": ("어느 기관에 문의해야 할지 몰라 민원을 남깁니다. 주민센터 안내가 서로 다릅니다. ({spot} 거주)",),
}
ATTRIBUTES: dict[str, Callable[[random.Random, int], list[tuple[str, str]]]] = {
    "ROAD-DAMAGE": lambda r, n: (
        [("attribute[damage_type]", r.choice(["pothole", "sidewalk", "sinkhole", "other"]))]
        + ([("attribute[size_cm]", str(r.randint(10, 200)))] if r.random() < 0.5 else [])
    ),
    "ILLEGAL-PARKING": lambda r, n: [("attribute[vehicle_number]", f"{r.randint(10, 399)}가{n % 10000:04d}")],
    "STREETLIGHT": lambda r, n: [("attribute[fixture]", r.choice(["streetlight", "traffic-light", "crosswalk-light"]))],
    "NOISE": lambda r, n: [("attribute[source]", r.choice(["construction", "loudspeaker", "business"]))],
    "EMPLOYMENT-LABOR": lambda r, n: [("attribute[topic]", "wages")],
}
LOCAL_SHARE = 0.75  # most app complaints are about the street


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    ordered = sorted(seconds)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000, 3) if ordered else math.nan


def latency_line(seconds: Sequence[float]) -> str:
    lat = Latency.of(seconds)
    return (
        f"p50 {lat.p50_ms:7.2f} ms   p95 {percentile_ms(seconds, 0.95):7.2f} ms   p99 {lat.p99_ms:7.2f} ms   "
        f"max {lat.max_ms:7.2f} ms   (n={lat.n})"
    )


def latency_dict(seconds: Sequence[float]) -> dict[str, float]:
    return {**Latency.of(seconds).as_dict(), "p95_ms": percentile_ms(seconds, 0.95)}


@dataclass(frozen=True)
class BenchApp:
    id: int
    name: str
    key: str


def raise_limits(system: System) -> None:
    """The settings ``sori up`` would use, with the rate limits and the duplicate hold raised (said in the output)."""
    raised = system.settings.open311.model_copy(update=RAISED_LIMITS)
    system.settings = system.settings.model_copy(update={"open311": raised})


def create_apps(system: System, prefix: str, count: int) -> list[BenchApp]:
    apps = []
    with system.uow() as uow:
        for n in range(count):
            app, key = create_app_key(uow, f"{prefix}-{n:02d}", "bench", system.clock())
            assert app.id is not None
            apps.append(BenchApp(app.id, app.name, key))
        uow.commit()
    return apps


# -- (b) the stored year --------------------------------------------------------------------------------------
@dataclass
class Loaded:
    requests: int = 0
    events: int = 0
    measured_ids: list[int] = field(default_factory=list)  # the busiest app's request ids
    measured_codes: Counter[str] = field(default_factory=Counter)


def load_year(system: System, conn: Connection, catalog: Catalog, apps: list[BenchApp], total: int, seed: int,
              progress: Callable[[Loaded], None]) -> Loaded:  # fmt: skip
    """``total`` accepted requests over the 365 days ending now (ids follow time), apps Zipf-like (the first
    busiest), each with its complaint (status by age) and the complaint's events."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=365)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(apps))]
    local = [s for s in catalog.services if s.local]
    national = [s for s in catalog.services if not s.local and s.center in catalog.institutions]
    regional = sorted(catalog.regional_centers.items())
    writer = BulkWriter(conn)
    loaded = Loaded()
    for first in range(1, total + 1, CHUNK):
        complaints, events, requests_ = [], [], []
        for rid in range(first, min(total, first + CHUNK - 1) + 1):
            at = start + dt.timedelta(seconds=(rid - 1 + rng.random()) * 365 * 86400 / total)
            app = rng.choices(apps, weights)[0]
            service = rng.choice(local) if rng.random() < LOCAL_SHARE else rng.choice(national)
            if service.local:
                region, center = rng.choice(regional)
            else:
                assert service.center is not None
                region, center = "", service.center
            jurisdiction = catalog.institution_of(center) if service.local else str(service.institution)
            place = rng.choice(PLACES)
            spot = f"{place[0]} {rng.randint(1, 400)}"
            body = rng.choice(TEXTS.get(service.code, TEXTS["GENERAL-ADMIN"])).format(spot=spot)
            complaint, complaint_events = _complaint(rng, rid, at, now, service, center, body)
            complaints.append(complaint)
            events.extend(complaint_events)
            requests_.append(_request_row(rng, rid, app.id, at, service, center, jurisdiction, spot, region))
            if app is apps[0]:
                loaded.measured_ids.append(rid)
                if at > now - dt.timedelta(days=90):
                    loaded.measured_codes[service.code] += 1
        writer.write(tables.complaints, complaints)
        writer.write(tables.complaint_events, events)
        writer.write(open311_requests, requests_)
        loaded.requests += len(requests_)
        loaded.events += len(events)
        progress(loaded)
    return loaded


def _complaint(rng: random.Random, rid: int, at: dt.datetime, now: dt.datetime, service: Service, center: str,
               body: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    age_days = (now - at).total_seconds() / 86400
    closed_share = 0.95 if age_days > 30 else 0.3 + 0.6 * age_days / 30  # old ones are answered
    row: dict[str, Any] = {
        "id": rid, "sinmungo_id": f"open311-{rid}", "received_at": at, "citizen_id": None, "case_id": None,
        "title": f"{service.name}: {body}"[:300], "assigned_center": center, "body": body, "body_masked": body,
        "status": "received", "due_at": at + dt.timedelta(days=10), "claimed_by": None, "claimed_at": None,
        "answer": None, "answered_at": None, "answered_by": None, "closed_at": None, "handed_off_to": None,
    }  # fmt: skip
    events = [_event(rid, at, "received", center)]
    if rng.random() < closed_share:
        answered = min(now, at + dt.timedelta(hours=rng.uniform(4, 240)))
        row.update(status="answered", answer="현장을 확인하여 조치하였습니다. 불편을 드려 죄송합니다.",
                   answered_at=answered)  # fmt: skip
        events.append(_event(rid, answered, "answered", center))
        if rng.random() < 0.7:
            row.update(status="closed", closed_at=answered)
            events.append(_event(rid, answered, "closed", center))
    elif rng.random() < 0.4:
        claimed = min(now, at + dt.timedelta(hours=rng.uniform(1, 48)))
        row.update(status="claimed", claimed_at=claimed)
        events.append(_event(rid, claimed, "claimed", center))
    return row, events


def _event(complaint_id: int, at: dt.datetime, kind: str, center: str) -> dict[str, Any]:
    return {"complaint_id": complaint_id, "at": at, "kind": kind, "actor_login": "system:open311" if kind == "received"
            else "bench.agent", "actor_id": None, "center_code": center, "to_center": None, "note": None}  # fmt: skip


def _request_row(rng: random.Random, rid: int, app_id: int, at: dt.datetime, service: Service, center: str,
                 jurisdiction: str, spot: str, region: str) -> dict[str, Any]:  # fmt: skip
    point = rng.random() < 0.4
    lat = round(37.0 + rng.uniform(-1.5, 1.0), 6) if point else None
    return {
        "id": rid, "app_id": app_id, "token": f"bench-{rid:x}-{rng.getrandbits(48):012x}",
        "service_code": service.code, "jurisdiction": jurisdiction, "center_code": center or GENERAL_CENTER,
        "disposition": "accepted", "submitted_at": at, "fingerprint": hashlib.sha256(b"%d" % rid).hexdigest(),
        "remote_addr": f"10.{rid % 250}.{rid // 250 % 250}.{rng.randint(1, 254)}", "lat": lat,
        "long": round(127.0 + rng.uniform(-0.8, 1.5), 6) if point else None,
        "address_string": None if point else spot, "address_id": None, "media_url": None,
        "first_name": None, "last_name": None, "email": None, "phone": None, "device_id": None,
        "account_id": f"user-{rng.randint(1, 99999)}", "attributes_json": "{}", "app_request_id": f"load-{rid}",
        "held_reason": None, "complaint_id": rid, "category_suggested": None,
        "classified_at": at + dt.timedelta(seconds=5), "description": "", "reviewed_by": None, "reviewed_at": None,
        "review_note": None,
    }  # fmt: skip


def finish_load(system: System) -> None:
    """PostgreSQL's sequences past the loaded ids; statistics on both (as autovacuum / a DBA would)."""
    engine = system.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("complaints", "complaint_events", "open311_requests"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))  # fmt: skip
            conn.execute(text("VACUUM ANALYZE"))
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


# -- (b) the reads --------------------------------------------------------------------------------------------
def w3c(moment: dt.datetime) -> str:
    return moment.astimezone(SEOUL).isoformat(timespec="seconds")


def read_kinds(
    app: BenchApp, loaded: Loaded, rng: random.Random
) -> dict[str, Callable[[], tuple[str, dict[str, str]]]]:
    ids = loaded.measured_ids
    codes = sorted(loaded.measured_codes)

    def by_id() -> tuple[str, dict[str, str]]:
        return f"requests/{rng.choice(ids)}.json", {"api_key": app.key}

    def ten_ids() -> tuple[str, dict[str, str]]:
        return "requests.json", {"api_key": app.key, "service_request_id": ",".join(map(str, rng.sample(ids, 10)))}

    def default() -> tuple[str, dict[str, str]]:
        return "requests.json", {"api_key": app.key}

    def filtered() -> tuple[str, dict[str, str]]:
        end = dt.datetime.now(dt.UTC) - dt.timedelta(days=rng.uniform(0, 350))
        window = {"start_date": w3c(end - dt.timedelta(days=7)), "end_date": w3c(end)}
        return "requests.json", {"api_key": app.key, "service_code": rng.choice(codes),
                                 "status": rng.choice(["open", "closed"]), **window}  # fmt: skip

    def public() -> tuple[str, dict[str, str]]:
        return f"requests/{rng.randrange(1, loaded.requests + 1)}.json", {}

    return {
        "one id, with key": by_id,
        "10 ids, with key": ten_ids,
        "default (90 days, key)": default,
        "service+status, 7 days": filtered,
        "one id, public (no key)": public,
    }


def measure_reads(api: RunningApi, app: BenchApp, loaded: Loaded, queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed + 1)
    session = requests.Session()
    out: dict[str, Any] = {}
    for name, make in read_kinds(app, loaded, rng).items():
        times, rows, failed = [], [], Counter[int]()
        count = queries if "default" not in name else max(50, queries // 2)
        for n in range(count + 10):
            path, params = make()
            watch = Stopwatch()
            reply = session.get(api.base + OPEN311 + path, params=params, timeout=60)
            took = watch.seconds
            if n < 10:
                continue  # warm-up
            times.append(took)
            if reply.status_code != 200:
                failed[reply.status_code] += 1
            else:
                rows.append(len(reply.json()))
        mean_rows = sum(rows) / len(rows) if rows else 0.0
        say(f"  {name:26s} {latency_line(times)}  rows/answer {mean_rows:6.1f}  non-200 {dict(failed) or 0}")
        out[name] = {**latency_dict(times), "rows_mean": round(mean_rows, 1), "rows_max": max(rows, default=0),
                     "non_200": dict(failed)}  # fmt: skip
    return out


def split_default(system: System, api: RunningApi, app: BenchApp, runs: int) -> dict[str, Any]:
    """Where the default query's time goes, in process (medians): its SQL statements replayed on the raw driver
    with every row fetched; the repository call (that SQL, plus SQLAlchemy's result processing and the
    ``RequestRow`` objects); the whole service call
    (plus the views: privacy rules, masking); rendering the JSON; against the HTTP answer's time (the
    rest is twisted.web, the thread hop and the client)."""
    ops = operations(system)
    raw_sql, repository, service, render, http = [], [], [], [], []
    session = requests.Session()
    rows, body = 0, b""
    for _ in range(runs):
        with system.uow(readonly=True) as uow:
            found = ops.authenticate(uow, app.key)
            assert found is not None
            now = dt.datetime.now(dt.UTC)
            watch = Stopwatch()
            with StatementLog(system.engine) as statements:
                uow.open311.find(app_id=found.id, ids=[], service_codes=(), statuses=frozenset(), jurisdiction=None,
                                 start=now - reads.WINDOW, end=now, limit=reads.LIMIT, with_text=True)  # fmt: skip
            repository.append(watch.seconds)
        with system.uow(readonly=True) as uow:
            found = ops.authenticate(uow, app.key)
            watch = Stopwatch()
            views = ops.find_requests(uow, found, RequestQuery(), now)
            service.append(watch.seconds)
            watch = Stopwatch()
            body = formats.render("service_requests", formats.requests_doc(views), "json")
            render.append(watch.seconds)
        rows = len(views)
        raw = system.engine.raw_connection()
        try:
            cursor = raw.cursor()
            watch = Stopwatch()
            for statement, parameters in statements.statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            raw_sql.append(watch.seconds)
            cursor.close()
        finally:
            raw.close()
        watch = Stopwatch()
        session.get(api.base + OPEN311 + "requests.json", params={"api_key": app.key}, timeout=60).raise_for_status()
        http.append(watch.seconds)

    def ms(values: list[float]) -> float:
        return round(sorted(values)[len(values) // 2] * 1000, 1)

    parts = {"sql_fetch_ms": ms(raw_sql), "row_objects_ms": round(ms(repository) - ms(raw_sql), 1),
             "views_ms": round(ms(service) - ms(repository), 1), "render_ms": ms(render),
             "http_total_ms": ms(http), "statements": len(statements.statements), "rows": rows,
             "body_bytes": len(body), "runs": runs}  # fmt: skip
    parts["transport_other_ms"] = round(parts["http_total_ms"] - ms(service) - parts["render_ms"], 1)
    say(
        f"  default query split (medians of {runs}; {rows} rows, {len(body):,} bytes of JSON): "
        f"SQL ({parts['statements']} statements, rows fetched) {parts['sql_fetch_ms']} ms + row objects "
        f"{parts['row_objects_ms']} ms + views {parts['views_ms']} ms + JSON rendering {parts['render_ms']} ms; "
        f"HTTP total {parts['http_total_ms']} ms (twisted.web, thread hop, client ~{parts['transport_other_ms']} ms)"
    )
    return parts


# -- (a) filing -----------------------------------------------------------------------------------------------
class Filer:
    """Builds and sends distinct POSTs (thread-safe: one session per thread, one counter)."""

    def __init__(self, base: str, apps: list[BenchApp], catalog: Catalog, seed: int) -> None:
        self.url = base + OPEN311 + "requests.json"
        self.apps = apps
        self.local = [s.code for s in catalog.services if s.local]
        self.national = [s.code for s in catalog.services if not s.local and s.center in catalog.institutions]
        self.seed = seed
        self._n = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def next_number(self) -> int:
        with self._lock:
            self._n += 1
            return self._n

    def form(self, n: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
        rng = random.Random(self.seed * 1_000_003 + n)
        app = self.apps[n % len(self.apps)]
        code = rng.choice(self.local) if rng.random() < LOCAL_SHARE else rng.choice(self.national)
        stem, lat, long = rng.choice(PLACES)
        by_point = code in self.local and rng.random() < 0.35
        # a pole's or building's number in every text: real reports name the spot, and no two are the same
        spot = f"{stem.split()[-1]} 전신주 관리번호 {n:06d} 근처" if by_point else f"{stem} {n % 400 + 1}"
        text_ = rng.choice(TEXTS[code]).format(spot=spot)
        if rng.random() < 0.3:
            text_ += f" 오늘 {rng.randint(6, 22)}시 {rng.randint(0, 59)}분경 확인했습니다."
        form = [("api_key", app.key), ("service_code", code), ("description", text_)]
        if by_point:
            form += [
                ("lat", f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
                ("long", f"{long + rng.uniform(-0.02, 0.02):.6f}"),
            ]
        else:
            form.append(("address_string", f"{stem} {n % 400 + 1} (접수 {n})" if code not in self.local else spot))
        form += ATTRIBUTES[code](rng, n) if code in ATTRIBUTES else []
        if rng.random() < 0.5:
            form += [("account_id", f"u{rng.randint(1, 10**6)}"), ("device_id", f"dev-{rng.getrandbits(32):08x}")]
        if rng.random() < 0.2:
            form += [
                ("first_name", "길동"),
                ("last_name", "홍"),
                ("phone", f"010-{rng.randint(2000, 9999)}-{n % 10000:04d}"),
            ]
        if rng.random() < 0.1:
            form.append(("media_url", f"https://img.example-app.kr/r/{n}.jpg"))
        return form, {"Idempotency-Key": f"bench-{self.seed}-{n}"}

    def post(self, n: int) -> tuple[int, str]:
        """(status or 0 on a transport error, the notice or the error kind)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        form, headers = self.form(n)
        try:
            reply = session.post(self.url, data=form, headers=headers, timeout=30)
        except requests.RequestException as exc:
            return 0, type(exc).__name__
        if reply.status_code != 200:
            return reply.status_code, reply.text[:120]
        answer = reply.json()[0]
        return 200, "accepted" if answer.get("service_request_id") else "held:" + answer.get("service_notice", "")


@dataclass
class Phase:
    name: str
    sent: int
    seconds: float
    times: list[float]  # open loop: from due to answer; closed loop: from send to answer
    statuses: Counter[str]

    def figures(self) -> dict[str, Any]:
        ok = self.statuses.get("200 accepted", 0)
        return {"sent": self.sent, "accepted": ok, "seconds": round(self.seconds, 2),
                "achieved_per_s": round(ok / self.seconds, 1), **latency_dict(self.times),
                "answers": dict(self.statuses)}  # fmt: skip

    def show(self) -> None:
        f = self.figures()
        others = {k: v for k, v in self.statuses.items() if k != "200 accepted"}
        say(f"  {self.name:24s} {f['achieved_per_s']:6.1f} accepted/s ({f['accepted']} of {self.sent})  "
            f"{latency_line(self.times)}  other answers: {others or 'none'}")  # fmt: skip


def _status_key(status: int, what: str) -> str:
    return f"200 {what}" if status == 200 else f"{status} {what[:60]}" if status else f"error {what}"


def open_loop(filer: Filer, rate: float, seconds: float, name: str) -> Phase:
    """One POST due every 1/rate s, sent by a pool of senders (a late answer never delays the next send)."""
    total = int(rate * seconds)
    times: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    ends = [0.0]

    def send(due: float) -> None:
        status, what = filer.post(filer.next_number())
        done = time.perf_counter()
        with lock:
            times.append(done - due)
            statuses[_status_key(status, what)] += 1
            ends[0] = max(ends[0], done)

    with ThreadPoolExecutor(max_workers=64, thread_name_prefix="open311-client") as pool:
        started = time.perf_counter() + 0.05
        for n in range(total):
            due = started + n / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, due)
    return Phase(name, total, ends[0] - started, times, statuses)


def closed_loop(filer: Filer, threads: int, seconds: float) -> Phase:
    times: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + seconds

    def work() -> None:
        while time.perf_counter() < stop_at:
            watch = Stopwatch()
            status, what = filer.post(filer.next_number())
            with lock:
                times.append(watch.seconds)
                statuses[_status_key(status, what)] += 1

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Phase(f"closed, {threads} threads", len(times), time.perf_counter() - started, times, statuses)


def measure_filing(filer: Filer, seconds: float, closed_seconds: float) -> dict[str, Any]:
    for _ in range(20):  # warm: connections, routes, the first commits
        filer.post(filer.next_number())
    phases = [closed_loop(filer, 1, min(seconds, 10.0))]  # one at a time: the service time, nothing queued
    phases += [open_loop(filer, rate, seconds, f"open loop {rate:.0f}/s") for rate in RATES]
    phases.append(closed_loop(filer, CLOSED_THREADS, closed_seconds))
    out = {}
    for phase in phases:
        phase.show()
        out[phase.name] = phase.figures()
    return out


# -- one backend ----------------------------------------------------------------------------------------------
def run_backend(db: Database, directory: Path, stored: int, seconds: float, closed_seconds: float, queries: int,
                seed: int, reads_only: bool = False) -> dict[str, Any]:  # fmt: skip
    system = make_system(db, directory / "state")
    raise_limits(system)
    say(f"  settings: open311 limits RAISED for the benchmark: {RAISED_LIMITS} (shipped: 120/min, burst 60 per key; "
        f"60/min, burst 30 per address; hold after 3 duplicates)")  # fmt: skip
    api: RunningApi | None = None
    try:
        migrate.upgrade(system.engine)
        seed_centers(system)
        catalog = load_system_catalog(system)
        loaded_apps = create_apps(system, "bench-loaded", LOADED_APPS)
        posting_apps = create_apps(system, "bench-filing", POSTING_APPS)
        watch = Stopwatch()
        last = [0.0]

        def progress(loaded: Loaded) -> None:
            if watch.seconds - last[0] > 30:
                last[0] = watch.seconds
                say(f"  … {loaded.requests:,} requests in {watch.seconds:.0f} s")

        with system.engine.begin() as conn:
            loaded = load_year(system, conn, catalog, loaded_apps, stored, seed, progress)
        finish_load(system)
        load_s = watch.seconds
        in_window = sum(loaded.measured_codes.values())
        say(f"  loaded {loaded.requests:,} accepted requests + complaints + {loaded.events:,} complaint events over "
            f"365 days from {LOADED_APPS} apps in {load_s:.0f} s; the busiest app (measured) has "
            f"{len(loaded.measured_ids):,} of them, {in_window:,} in the last 90 days")  # fmt: skip
        api = RunningApi(system)
        say(f"  heap settled as sori up does after start (gc.freeze): {settle_heap():,} objects frozen")
        say("  reads (GET, as the busiest app):")
        read_figures = measure_reads(api, loaded_apps[0], loaded, queries, seed)
        split = split_default(system, api, loaded_apps[0], 15)
        worst = max(figures["p99_ms"] for figures in read_figures.values())
        say(f"  worst read p99 {worst:.1f} ms (target {READ_TARGET_P99_MS:.0f} ms)")
        reads_figures = {"backend": db.backend, "server": db.server_version, "durability": db.durability,
                         "stored": loaded.requests, "events": loaded.events, "load_s": round(load_s, 1),
                         "measured_app_requests": len(loaded.measured_ids), "measured_app_90_days": in_window,
                         "reads": read_figures, "default_split": split, "worst_read_p99_ms": worst}  # fmt: skip
        if reads_only:
            return reads_figures
        say(f"  filing (POST, {POSTING_APPS} apps, form-encoded):")
        filing = measure_filing(Filer(api.base, posting_apps, catalog, seed), seconds, closed_seconds)
        at_50 = filing[f"open loop {RATES[0]:.0f}/s"]
        say(f"  at 50/s: {at_50['achieved_per_s']}/s accepted, p99 {at_50['p99_ms']:.1f} ms "
            f"(target ≥ {POST_TARGET_RATE:.0f}/s, p99 < {POST_TARGET_P99_MS:.0f} ms)")  # fmt: skip
        return {**reads_figures, "filing": filing}
    finally:
        if api is not None:
            api.stop()
        system.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.open311", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="sqlite")
    parser.add_argument("--requests", type=int, help="stored requests (default 1,000,000; --quick 100,000)")
    parser.add_argument("--queries", type=int, help="queries per read kind (default 300; --quick 100)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-durability", choices=["production", "test"], default="production")
    parser.add_argument("--quick", action="store_true", help="100,000 stored requests, 10-s filing phases")
    parser.add_argument("--reads-only", action="store_true", help="load and measure the reads; no filing phases")
    args = parser.parse_args(argv)
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    stored = args.requests or (QUICK if args.quick else FULL)
    seconds, closed_seconds = (10.0, 10.0) if args.quick else (30.0, 20.0)
    queries = args.queries or (100 if args.quick else 300)
    params = {"backends": backends, "stored": stored, "rates": list(RATES), "open_loop_s": seconds,
              "closed_threads": CLOSED_THREADS, "closed_s": closed_seconds, "queries": queries, "quick": args.quick,
              "seed": args.seed, "reads_only": args.reads_only}  # fmt: skip
    header("Open311 GeoReport v2: filing rate and reads over a stored year", machine(), params)
    results = []
    with stop_on_sigterm():
        for backend in backends:
            say(f"-- {backend}: {stored:,} stored requests")
            with workdir("sori-bench-open311-") as directory, database(backend, directory, args.pg_durability) as db:
                results.append(run_backend(db, directory, stored, seconds, closed_seconds, queries, args.seed,
                                           args.reads_only))  # fmt: skip
    emit_json({"benchmark": "open311", "params": params, "raised_limits": RAISED_LIMITS,
               "targets": {"post_per_s": POST_TARGET_RATE, "post_p99_ms": POST_TARGET_P99_MS,
                           "read_p99_ms": READ_TARGET_P99_MS}, "results": results})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
