"""Case work over the real HTTP API: category suggestions and the agent's recorded choice, callbacks an agent
schedules from a contact (and the desk placing them in their window), and streamed call recordings."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select, update

from analytics.classify.classifier import Classifier
from analytics.classify.model import Doc, fit
from crm.cases.model import CallbackStatus
from crm.door.calls import CallbackTask
from crm.store import tables
from crm.store.case_work import category_choices
from sori.case_work_wiring import ClassifierSuggester
from sori.wiring import System, recordings_dir
from telephony.acd import PlaceCallback, QueueKey
from telephony.control.desk import Desk
from tests.conftest import PASSWORD
from tests.support import reactor as rt
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
SEOUL = dt.timezone(dt.timedelta(hours=9))
TRAINING = {
    "교통/건축/국토": ["버스 노선 변경 요청", "지하철 배차 간격", "버스 정류장 이전", "도로 공사 소음 버스"],
    "보건복지": ["기초연금 신청 문의", "의료급여 수급 자격", "복지 급여 연금 지급", "장애인 연금 신청"],
    "일자리": ["실업급여 신청 방법", "고용보험 실업 인정", "취업 지원 제도", "임금 체불 신고"],
    "행정": ["주민등록 등본 발급", "전입 신고 방법", "인감 증명 발급", "여권 발급 서류"],
}


def small_classifier() -> Classifier:
    """Trained in the test, on whitespace tokens (no Kiwi): seconds, and the same ``Classifier`` as ``sori up``."""
    docs = [Doc(text, tuple(text.split())) for texts in TRAINING.values() for text in texts]
    labels = [label for label, texts in TRAINING.items() for _ in texts]
    return Classifier(fit(docs, labels), tokenize=str.split)


@pytest.fixture
def assisted(system: System) -> Iterator[RunningApi]:
    system.suggester = ClassifierSuggester.of(small_classifier())
    running = RunningApi(system)
    yield running
    running.stop()


def open_case(
    system: System, agent: ApiClient, login: str, summary: str, phone: str = "010-4567-8901"
) -> tuple[str, int]:
    body = connect_call(system, login, phone)
    iid = body["interaction"]["id"]
    citizen = agent.post("/api/v1/citizens", {"interaction_id": iid, "name": "김민수", "phones": [phone]})
    citizen_id = citizen.json()["id"] if citizen.status_code == 201 else body["citizen_candidates"][0]
    case = agent.post("/api/v1/cases", {"citizen_id": citizen_id, "summary": summary, "interaction_id": iid})
    assert case.status_code == 201, case.text
    return case.json()["number"], iid


def count(system: System, table: Table) -> int:
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# -- category suggestions ------------------------------------------------------------------------------------
def test_suggestions_top3_and_the_choice_recorded_and_exported(assisted: RunningApi) -> None:
    system = assisted.system
    kim = assisted.client().login("kim", PASSWORD)
    number, _ = open_case(system, kim, "kim", "버스 노선 변경 요청 010-1234-5678")
    logged = count(system, tables.access_log)
    got = kim.get(f"/api/v1/cases/{number}/category-suggestions")
    assert got.status_code == 200, got.text
    body = got.json()
    assert [s["rank"] for s in body["suggestions"]] == [1, 2, 3]
    assert (
        body["suggestions"][0]["category"] == "교통/건축/국토" and body["suggestions"][0]["label"] == "교통/건축/국토"
    )
    scores = [s["score"] for s in body["suggestions"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    assert count(system, tables.access_log) == logged + 1  # the case text was read: logged
    shown = [s["category"] for s in body["suggestions"]]
    patched = kim.patch(f"/api/v1/cases/{number}", {"category": shown[1], "suggestions": shown})
    assert patched.status_code == 200 and patched.json()["category"] == shown[1]
    other = kim.patch(f"/api/v1/cases/{number}", {"category": "기타", "suggestions": shown})
    assert other.status_code == 200
    plain = kim.patch(f"/api/v1/cases/{number}", {"category": "행정"})  # no suggestions shown: no row
    assert plain.status_code == 200
    bad = kim.patch(f"/api/v1/cases/{number}", {"summary": "x", "suggestions": shown})
    assert bad.status_code == 422  # suggestions without a category chosen
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        rows = list(category_choices(uow.session))
    assert [(r["case_number"], r["chosen"], r["rank"], r["suggested"]) for r in rows] == [
        (number, shown[1], 2, shown),
        (number, "기타", None, shown),
    ]
    assert rows[0]["center"] == "ACRC110" and rows[0]["accepted"] and not rows[1]["accepted"]
    json.dumps(rows, ensure_ascii=False)  # each is one JSON line of the export
    # another center's agent, not serving this citizen, gets the same answer as for a missing case
    park = assisted.client().login("park", PASSWORD)
    assert park.get(f"/api/v1/cases/{number}/category-suggestions").status_code == 404


def test_without_a_model_suggestions_are_unavailable(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    number, _ = open_case(api.system, kim, "kim", "버스 노선")
    got = kim.get(f"/api/v1/cases/{number}/category-suggestions")
    assert got.status_code == 503 and got.json()["error"] == "suggestions-unavailable"


def test_export_cli_writes_jsonl(assisted: RunningApi, tmp_path: Path) -> None:
    from sori.case_work_cli import export_category_choices

    system = assisted.system
    kim = assisted.client().login("kim", PASSWORD)
    number, _ = open_case(system, kim, "kim", "기초연금 신청 문의")
    assert kim.patch(f"/api/v1/cases/{number}", {"category": "보건복지", "suggestions": ["보건복지", "행정"]}).ok
    out = tmp_path / "choices.jsonl"
    assert export_category_choices(system, out) == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["case_number"], x["chosen"], x["rank"]) for x in lines] == [(number, "보건복지", 1)]


# -- agent-scheduled callbacks ------------------------------------------------------------------------------
def window(system: System, start_min: float, length_min: float) -> dict[str, str]:
    start = (system.clock() + dt.timedelta(minutes=start_min)).astimezone(SEOUL)
    return {"window_start": start.isoformat(), "window_end": (start + dt.timedelta(minutes=length_min)).isoformat()}


def test_schedule_callback_rules_and_row(api: RunningApi) -> None:
    system = api.system
    kim = api.client().login("kim", PASSWORD)
    number, iid = open_case(system, kim, "kim", "서류 확인 후 회신")
    path = f"/api/v1/interactions/{iid}/callbacks"
    made = kim.post(path, {**window(system, 60, 30), "number": "calling", "reason": "서류 확인 후 회신"})
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["status"] == "pending" and out["number"] == "calling"
    assert dt.datetime.fromisoformat(out["due_at"]) == system.clock() + dt.timedelta(minutes=60)
    assert dt.datetime.fromisoformat(out["window_end"]) == system.clock() + dt.timedelta(minutes=90)
    on_file = kim.post(path, {**window(system, 120, 15), "number": 0, "reason": "재확인"})
    assert on_file.status_code == 201 and on_file.json()["number"] == "on-file"
    with system.engine.connect() as conn:
        refs = [r.phone_ref for r in conn.execute(select(tables.callbacks.c.phone_ref).order_by(tables.callbacks.c.id))]
    assert refs[0] == f"calling:{iid}" and refs[1].startswith("phone:")
    assert not any("4567" in (r or "") for r in refs)  # a reference, never the digits
    refused = {
        "short": {**window(system, 60, 14), "number": "calling", "reason": "x"},
        "past": {**window(system, -10, 30), "number": "calling", "reason": "x"},
        "far": {**window(system, 14 * 24 * 60, 30), "number": "calling", "reason": "x"},
        "naive": {
            "window_start": "2026-03-10T12:00:00",
            "window_end": "2026-03-10T13:00:00",
            "number": "calling",
            "reason": "x",
        },
        "typed": {**window(system, 60, 30), "number": "010-9999-8888", "reason": "x"},
        "extra": {**window(system, 60, 30), "number": "calling", "reason": "x", "phone": "010-9999-8888"},
    }
    for name, body in refused.items():
        response = kim.post(path, body)
        assert response.status_code == 422, (name, response.text)
    missing = kim.post(path, {**window(system, 60, 30), "number": 5, "reason": "x"})
    assert missing.status_code == 422 and missing.json()["error"] == "phone-not-on-file"
    lee = api.client().login("lee", PASSWORD)  # same center, not the serving agent
    assert lee.post(path, {**window(system, 60, 30), "number": "calling", "reason": "x"}).status_code == 403
    detail = kim.get(f"/api/v1/cases/{number}").json()
    assert [c["number"] for c in detail["callbacks"]] == ["calling", "on-file"]


def test_the_desk_places_a_scheduled_callback_in_its_window(api: RunningApi, desk: Desk) -> None:
    system = api.system
    kim = api.client().login("kim", PASSWORD)
    _, iid = open_case(system, kim, "kim", "회신 요청")
    made = kim.post(f"/api/v1/interactions/{iid}/callbacks", {**window(system, 60, 30), "number": "calling",
                                                                "reason": "회신"})  # fmt: skip
    assert made.status_code == 201
    key = str(made.json()["id"])
    deadline = time.monotonic() + 10  # the desk is told after the reply, on its own thread
    while (task := rt.call(lambda: desk.callbacks.get(key))) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert task is not None and task.phone == "01045678901" and task.window_end is not None
    due = rt.call(lambda: desk.acd._state.callbacks[key].due_at)
    assert due == system.clock() + dt.timedelta(minutes=60)  # not before the window's start
    # placed after the window's end: expired, not dialled, not retried
    clock = system.clock
    assert isinstance(clock, FakeClock)
    clock.advance(minutes=91)
    rt.call(desk._place_callback, PlaceCallback(key, "call-x", "kim", QueueKey("ACRC110", "general"), 1))
    assert rt.call(lambda: key in desk.callbacks or key in desk.acd._state.callbacks) is False
    with system.uow(readonly=True) as uow:
        stored = uow.callbacks.get(int(key))
        assert stored is not None and stored.status is CallbackStatus.EXPIRED
    # one loaded after its window (e.g. at a restart) is expired at once
    with system.engine.begin() as conn:
        conn.execute(update(tables.callbacks).values(status=CallbackStatus.PENDING))
    late = CallbackTask(int(key), "ACRC110", system.clock() - dt.timedelta(hours=1), None, "0101", 0,
                        system.clock() - dt.timedelta(minutes=1))  # fmt: skip
    rt.call(desk.callback_added, late)
    with system.uow(readonly=True) as uow:
        stored = uow.callbacks.get(int(key))
        assert stored is not None and stored.status is CallbackStatus.EXPIRED


# -- recordings ----------------------------------------------------------------------------------------------
def set_recording(system: System, iid: int, ref: str) -> None:
    with system.engine.begin() as conn:
        conn.execute(update(tables.interactions).where(tables.interactions.c.id == iid).values(recording_ref=ref))


def test_recording_streams_with_ranges_to_readers_only(api: RunningApi) -> None:
    system = api.system
    root = recordings_dir(system.settings)
    (root / "2026").mkdir(parents=True, exist_ok=True)
    audio = b"RIFF" + bytes(range(256)) * 40
    (root / "2026" / "call.wav").write_bytes(audio)
    (root.parent / "secret.wav").write_bytes(b"not yours")
    kim = api.client().login("kim", PASSWORD)
    _, iid = open_case(system, kim, "kim", "녹취 확인")
    path = f"/api/v1/interactions/{iid}/recording"
    assert kim.get(path).status_code == 404  # no recording yet
    set_recording(system, iid, "2026/call.wav")
    logged = count(system, tables.access_log)
    whole = kim.get(path)
    assert whole.status_code == 200 and whole.content == audio
    assert whole.headers["content-type"] == "audio/wav" and whole.headers["accept-ranges"] == "bytes"
    part = kim.get(path, headers={"range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == audio[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(audio)}"
    tail = kim.get(path, headers={"range": "bytes=-4"})
    assert tail.status_code == 206 and tail.content == audio[-4:]
    beyond = kim.get(path, headers={"range": f"bytes={len(audio)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(audio)}"
    assert count(system, tables.access_log) == logged + 4  # every access logged
    with system.engine.connect() as conn:
        purposes = {r.purpose for r in conn.execute(select(tables.access_log.c.purpose).where(
            tables.access_log.c.via == "GET /api/v1/interactions/{interaction_id}/recording"))}  # fmt: skip
    assert purposes == {"serving"}
    # another center's agent who is not serving the citizen: as if the contact did not exist
    park = api.client().login("park", PASSWORD)
    refused = park.get(path)
    assert refused.status_code == 404 and refused.content != audio
    # the same center's supervisor: their center's record (worklist)
    sup = api.client().login("sup", PASSWORD)
    assert sup.get(path, headers={"range": "bytes=0-3"}).content == b"RIFF"
    for ref in ("../secret.wav", "2026/../../secret.wav", str(root.parent / "secret.wav")):
        set_recording(system, iid, ref)
        escaped = kim.get(path)
        assert escaped.status_code == 404 and escaped.json()["error"] == "recording-not-found", ref


def closed_case(system: System, citizen_id: int) -> str:
    from crm.cases import services
    from crm.cases.model import Channel
    from crm.cases.status import CaseStatus
    from kernel.actor import Actor

    actor, now = Actor.system("test"), system.clock()
    with system.uow() as uow:
        case = services.open_case(uow, actor, now, citizen_id=citizen_id, center_code="ACRC110",
                                  channel=Channel.INBOUND_CALL, summary="오래된 상담")  # fmt: skip
        for target in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            services.change_status(uow, actor, now, number=case.number, target=target, reason=None,
                                   expected_version=None)  # fmt: skip
        uow.commit()
        return case.number


def test_category_choices_go_with_their_purged_case(system: System) -> None:
    from crm.cases.suggestions import CategoryChoice
    from crm.citizens.services import register_citizen
    from crm.store.case_work import add_category_choice
    from kernel.actor import Actor
    from sori.purge import purge

    clock = system.clock
    assert isinstance(clock, FakeClock)
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), clock(), system.rrn_key, name="홍길동")
        uow.commit()
    assert citizen.id is not None
    old = closed_case(system, citizen.id)
    clock.now = real_now - dt.timedelta(days=10)
    kept = closed_case(system, citizen.id)
    with system.uow() as uow:
        assert uow.session is not None
        for number in (old, kept):
            case = uow.cases.get(number)
            assert case is not None and case.id is not None
            add_category_choice(uow.session, CategoryChoice(case.id, None, "ACRC110", "행정", ("행정",), 1, clock()))
        uow.commit()
    clock.now = real_now
    done = purge(system)
    assert done["cases"] == 1 and done["category_choices"] == 1
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        assert [r["case_number"] for r in category_choices(uow.session)] == [kept]
