"""Callers reach agents through the whole stack: SIPp citizens dial the Kamailio edge, the IVR queues them,
the ACD rings real agent softphones (pjsua2 processes registered with digest auth), the media worker
bridges and records, and the case store follows the case through transfers, drops and callbacks.

One stack serves the module (starting it costs seconds); every test logs its agents in and out itself.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sori.seed.demo import DEMO_PASSWORD
from tests.e2e.stack import running_stack
from tests.integration.telephony_media.support import read_samples, tone_power
from tests.support import sipp as scenarios
from tests.support.phones import Softphone
from tests.support.postgres import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    gateway = free_port()
    env = {
        "SORI_TELEPHONY__RING_TIMEOUT_S": "8",
        "SORI_TELEPHONY__WRAPUP_S": "0",
        "SORI_TELEPHONY__OVERFLOW_AFTER_S": "5",
        "SORI_TELEPHONY__CALLBACK_DELAY_S": "1",
        "SORI_EDGE__PSTN_GATEWAY": f"127.0.0.1:{gateway}",
    }
    audio = tmp_path_factory.mktemp("audio")
    agent_wav, caller_wav = audio / "agent440.wav", audio / "caller1000-ulaw.wav"
    tone = ["sox", "-n", "-r", "8000", "-c", "1"]
    subprocess.run([*tone, "-b", "16", str(agent_wav), "synth", "30", "sine", "440", "vol", "0.5"], check=True)
    subprocess.run([*tone, "-e", "u-law", str(caller_wav), "synth", "30", "sine", "1000", "vol", "0.5"], check=True)
    with running_stack(env, always_open=("NTS126", "ACRC110")) as running:
        running.update(gateway=gateway, agent_wav=agent_wav, caller_wav=caller_wav)
        yield running


class Api:
    def __init__(self, stack: dict[str, Any], login: str) -> None:
        self.base = f"http://127.0.0.1:{stack['http']}"
        reply = requests.post(f"{self.base}/api/v1/auth/login", json={"login": login, "password": DEMO_PASSWORD})
        assert reply.status_code == 200, reply.text
        self.headers = {"authorization": f"Bearer {reply.json()['token']}"}

    def get(self, path: str) -> Any:
        reply = requests.get(self.base + path, headers=self.headers, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def send(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        reply = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=30)
        assert reply.status_code == expect, reply.text
        return reply.json() if reply.content else None

    def state(self, state: str, reason: str | None = None) -> Any:
        return self.send("PUT", "/api/v1/telephony/agents/me/state", {"state": state, "reason": reason})

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.get("/api/v1/cti/events?limit=5000")["events"] if e["kind"] == kind]


def db(stack: dict[str, Any]) -> Path:
    return Path(stack["state"]) / "s" / "sori.db"


def query(stack: dict[str, Any], sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db(stack)) as conn:
        return conn.execute(sql, args).fetchall()


def eventually(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.3)


def citizen_phone(stack: dict[str, Any], with_open_case: bool, skip: tuple[str, ...] = ()) -> str:
    """A demo citizen's number (one citizen per number) with or without an active case."""
    for index in range(40):
        digits = f"0105000{index:04d}"
        if digits in skip:
            continue
        # continuable: active and touched in the last 7 days (6 here, to stay clear of the edge)
        active = query(stack, "SELECT count(*) FROM cases c JOIN citizen_phones p ON p.citizen_id = c.citizen_id "
                       "WHERE p.digits = ? AND c.status NOT IN ('resolved', 'closed') AND c.updated_at >= "
                       "datetime('now', '-6 days')", digits)[0][0]  # fmt: skip
        if bool(active) == with_open_case:
            return digits
    raise AssertionError("no such demo citizen")


def caller_with_a_case_at_110(stack: dict[str, Any], skip: tuple[str, ...] = ()) -> tuple[str, str]:
    """A demo citizen's number and an open case of 110's for them (a case is continued only by the center that
    owns it): a walk-in a supervisor attests, worked by acrc.kim through the API, opens it."""
    digits = citizen_phone(stack, with_open_case=False, skip=skip)
    citizen = query(stack, "SELECT citizen_id FROM citizen_phones WHERE digits = ?", digits)[0][0]
    kim, sup = Api(stack, "acrc.kim"), Api(stack, "acrc.sup")
    walk_in = {"agent_id": agent_id(stack, "acrc.kim"), "citizen_id": citizen, "kind": "walk-in",
               "reason": "방문 민원 상담"}  # fmt: skip
    attestation = sup.send("POST", "/api/v1/attestations", walk_in, expect=201)
    contact = kim.send("POST", "/api/v1/interactions", {"attestation_id": attestation["id"]}, expect=201)
    iid = contact["interaction"]["id"]
    case = kim.send("POST", "/api/v1/cases", {"citizen_id": citizen, "summary": "여권 재발급 문의",
                                              "interaction_id": iid}, expect=201)  # fmt: skip
    kim.send("POST", f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    wrap_up = {"notes": "방문 상담, 전화로 이어서 안내 예정", "wrap_up_code": "callback-needed"}
    kim.send("POST", f"/api/v1/interactions/{iid}/wrap-up", wrap_up)
    return digits, case["number"]


def place_call(stack: dict[str, Any], name: str, *parts: str, timeout: int = 90) -> subprocess.Popen[bytes]:
    state = Path(stack["state"])
    scenario = state / f"{name}.xml"
    scenario.write_text(scenarios.scenario(name, *parts))
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-m", "1", "-i", "127.0.0.1",
         "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", f"{timeout}s",
         "-timeout_error", "-nostdin", "-trace_err", "-error_file", str(state / f"{name}.err"), "-trace_msg",
         "-message_file", str(state / f"{name}.msg")],
        cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def finish(stack: dict[str, Any], name: str, sipp: subprocess.Popen[bytes], timeout: float = 120) -> None:
    try:
        code = sipp.wait(timeout=timeout)
    finally:
        if sipp.poll() is None:
            sipp.kill()
            sipp.wait()
    state = Path(stack["state"])
    errors = (state / f"{name}.err").read_text() if (state / f"{name}.err").exists() else ""
    assert code == 0, errors[-3000:]


@pytest.fixture
def phones(stack: dict[str, Any], tmp_path: Path) -> Iterator[Callable[..., Softphone]]:
    started: list[Softphone] = []

    def start(*logins: str) -> Softphone:
        phone = Softphone(int(stack["sip"]), logins, Path(stack["agent_wav"]), tmp_path / "heard",
                          passwords=stack["sip_passwords"])  # fmt: skip
        started.append(phone)
        for login in logins:
            phone.wait("registered", login=login)
        return phone

    yield start
    for phone in started:
        phone.stop()


@pytest.fixture
def agents(stack: dict[str, Any]) -> Iterator[Callable[[str], Api]]:
    """Agents logged in to the ACD through the API, logged out again after the test."""
    logged: list[Api] = []

    def login(name: str) -> Api:
        api = Api(stack, name)
        assert api.state("ready")["state"] == "ready"
        logged.append(api)
        return api

    yield login
    for api in logged:
        for _ in range(20):  # an agent still on a call cannot log out yet
            reply = requests.put(api.base + "/api/v1/telephony/agents/me/state", json={"state": "logged-out"},
                                 headers=api.headers, timeout=10)  # fmt: skip
            if reply.status_code == 200:
                break
            time.sleep(0.5)


def agent_id(stack: dict[str, Any], login: str) -> int:
    return int(query(stack, "SELECT id FROM agents WHERE login = ?", login)[0][0])


def test_a_caller_is_queued_and_bridged_to_an_agent_with_both_directions_recorded(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    phone = phones("acrc.kim")
    kim = agents("acrc.kim")
    caller = citizen_phone(stack, with_open_case=False)
    # notice (not interruptible), then 0 (agent) in the main menu; then talk with a 1000 Hz tone for 8 s
    sipp = place_call(stack, "bridge", scenarios.invite("110", caller), scenarios.key("0", 9000),
                      scenarios.pause(1500), scenarios.stream(str(stack["caller_wav"])), scenarios.pause(16000),
                      scenarios.BYE)  # fmt: skip
    incoming = phone.wait("answered", login="acrc.kim", timeout=40)[0]
    on_call = eventually(lambda: kim.get("/api/v1/telephony/agents/me")["call"], what="the agent's call")
    assert on_call["agent"] == "acrc.kim" and on_call["center"] == "ACRC110"
    finish(stack, "bridge", sipp)
    ended = phone.wait("ended", login="acrc.kim")[0]
    rows = eventually(lambda: query(stack, "SELECT disposition, recording_ref, talk_seconds, wait_seconds, citizen_id "
                                    "FROM interactions WHERE agent_id = ? AND ended_at IS NOT NULL AND sip_call_id "
                                    "LIKE '%@127.0.0.1' ORDER BY id", agent_id(stack, "acrc.kim")),
                      what="the agent's contact")  # fmt: skip
    assert len(rows) == 1, rows
    disposition, recording_ref, talk, wait, citizen = rows[0]
    assert disposition == "answered" and citizen is not None
    assert talk is not None and talk >= 7 and wait is not None
    recording = Path(stack["state"]) / "s" / "recordings" / recording_ref
    assert recording.exists(), recording
    samples, rate = read_samples(recording)
    # one recording per call, from the end of the recording notice: menu, queue, then the conversation
    assert len(samples) / rate >= talk + 5, "the recording covers the IVR after the notice and the conversation"
    talk_part = samples[-rate * 8 : -rate]
    agent_power, caller_power = tone_power(talk_part, rate, 440), tone_power(talk_part, rate, 1000)
    silent = tone_power(talk_part, rate, 2500)
    assert agent_power > 50 * silent and caller_power > 50 * silent, (agent_power, caller_power, silent)
    heard, heard_rate = read_samples(Path(ended["recording"]))  # what the agent's phone heard: the caller
    middle = heard[heard_rate * 2 : -heard_rate]
    assert tone_power(middle, heard_rate, 1000) > 50 * tone_power(middle, heard_rate, 440)
    answered = [e for e in kim.events("call-answered") if e["agent_id"] == agent_id(stack, "acrc.kim")]
    assert any(e["data"].get("interaction_id") for e in answered), "the console got the contact to screen-pop"
    assert incoming["call_id"]


def test_an_open_case_continues_and_a_dropped_call_is_called_back_on_the_same_case(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    phone = phones("acrc.lee")
    agents("acrc.lee")
    caller, case_number = caller_with_a_case_at_110(stack)
    # The citizen's phone behind the PSTN gateway, for the callback
    state = Path(stack["state"])
    (state / "citizen.xml").write_text(scenarios.answering_phone(str(stack["caller_wav"])))
    citizen = subprocess.Popen(
        ["sipp", "-sf", str(state / "citizen.xml"), "-m", "1", "-i", "127.0.0.1", "-p", str(stack["gateway"]),
         "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "120s", "-timeout_error", "-nostdin",
         "-trace_err", "-error_file", str(state / "citizen.err")],
        cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # notice, then "1" continues the open case; talk 5 s; the line fails (Q.850 cause 41)
        sipp = place_call(stack, "drop", scenarios.invite("110", caller), scenarios.key("1", 11000),
                          scenarios.pause(1500), scenarios.stream(str(stack["caller_wav"])), scenarios.pause(6000),
                          scenarios.bye_with_cause(41, "Temporary failure"))  # fmt: skip
        phone.wait("answered", login="acrc.lee", timeout=40)
        finish(stack, "drop", sipp)
        lee = agent_id(stack, "acrc.lee")
        first = eventually(lambda: query(stack, "SELECT i.disposition, c.number FROM interactions i JOIN cases c ON "
                                         "c.id = i.case_id WHERE i.agent_id = ? AND i.channel = 'inbound-call' AND "
                                         "i.ended_at IS NOT NULL AND i.sip_call_id LIKE '%@127.0.0.1'", lee),
                           what="the dropped contact")  # fmt: skip
        assert first[-1] == ("dropped", case_number), "the contact continued the open case and ended as dropped"
        callbacks = eventually(lambda: query(stack, "SELECT cb.id, cb.status FROM callbacks cb JOIN cases c ON "
                                             "c.id = cb.case_id WHERE c.number = ?", case_number),
                               what="the callback task")  # fmt: skip
        assert callbacks
        # The ACD places the callback: the agent's phone rings first, then the citizen's through the gateway.
        phone.wait("answered", login="acrc.lee", count=2, timeout=40)
        eventually(lambda: query(stack, "SELECT status FROM callbacks WHERE id = ?", callbacks[-1][0])[0][0] == "done",
                   what="the callback done")  # fmt: skip
        time.sleep(3)
        phone.command(cmd="hangup", login="acrc.lee")
        assert citizen.wait(timeout=30) == 0, (state / "citizen.err").read_text()
    finally:
        if citizen.poll() is None:
            citizen.kill()
            citizen.wait()
    back = eventually(lambda: query(stack, "SELECT i.disposition, c.number FROM interactions i JOIN cases c ON "
                                    "c.id = i.case_id WHERE i.agent_id = ? AND i.channel = 'callback' AND "
                                    "i.ended_at IS NOT NULL", lee), what="the callback contact")  # fmt: skip
    assert back[-1] == ("answered", case_number), "the callback continued the same case"


def test_blind_and_warm_transfers_carry_the_case_and_the_summary_to_another_center(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    phone = phones("acrc.kim", "nts.choi")
    kim = agents("acrc.kim")
    choi = agents("nts.choi")
    caller = citizen_phone(stack, with_open_case=False, skip=())
    sipp = place_call(stack, "blind", scenarios.invite("110", caller), scenarios.key("0", 9000),
                      scenarios.pause(1500), scenarios.stream(str(stack["caller_wav"])), scenarios.pause(30000),
                      scenarios.BYE)  # fmt: skip
    phone.wait("answered", login="acrc.kim", timeout=40)
    eventually(lambda: (kim.get("/api/v1/telephony/agents/me")["call"] or {}).get("interaction_id"),
               what="the contact")  # fmt: skip
    summary = "종합소득세 신고 기한 문의. 국세상담센터 연결 요청."
    done = kim.send("POST", "/api/v1/telephony/calls/current/transfer",
                    {"mode": "blind", "to_center": "NTS126", "to_queue": "general", "summary": summary})  # fmt: skip
    case_number = done["case_number"]
    assert case_number and done["mode"] == "blind"
    invite = phone.wait("incoming", login="nts.choi", timeout=30)[0]
    assert invite["headers"].get("X-Sori-Case") == case_number
    assert "User-to-User" in invite["headers"]
    choi_id = agent_id(stack, "nts.choi")
    answered = eventually(lambda: [e for e in choi.events("call-answered") if e["agent_id"] == choi_id
                                   and e["data"].get("interaction_id")], what="the receiving contact")  # fmt: skip
    assert answered[-1]["data"]["handoff"] is True and "handoff_summary" not in answered[-1]["data"]
    assert answered[-1]["data"]["case_number"] == case_number
    assert choi.get("/api/v1/telephony/agents/me")["call"]["handoff_summary"] == summary, "detail via the API"
    kim_contact = query(stack, "SELECT i.disposition, c.number FROM interactions i JOIN cases c ON c.id = i.case_id "
                        "WHERE i.agent_id = ? AND i.sip_call_id LIKE '%@127.0.0.1' ORDER BY i.id DESC LIMIT 1",
                        agent_id(stack, "acrc.kim"))  # fmt: skip
    assert kim_contact == [("transferred", case_number)]
    # Warm: 최하늘 consults 김민지 (back at 110) while the caller waits on hold, then hands over and leaves.
    time.sleep(1)
    warm = choi.send("POST", "/api/v1/telephony/calls/current/transfer",
                     {"mode": "warm", "to_center": "ACRC110", "to_queue": "general", "summary": "다시 110 안내 필요"},
                     expect=202)  # fmt: skip
    assert warm["case_number"] == case_number
    eventually(lambda: choi.get("/api/v1/telephony/agents/me")["call"]["consult_answered"], what="the consultation")
    call = choi.send("POST", "/api/v1/telephony/calls/current/transfer/complete")
    assert call["agent"] == "acrc.kim" and call["case_number"] == case_number
    finish(stack, "blind", sipp)
    contacts = eventually(lambda: query(stack, "SELECT a.login, i.disposition FROM interactions i JOIN agents a ON "
                                        "a.id = i.agent_id JOIN cases c ON c.id = i.case_id WHERE c.number = ? AND "
                                        "i.ended_at IS NOT NULL ORDER BY i.id", case_number)
                          if len(query(stack, "SELECT 1 FROM interactions i JOIN cases c ON c.id = i.case_id WHERE "
                                       "c.number = ? AND i.ended_at IS NOT NULL", case_number)) >= 3 else None,
                          what="three contacts on the case")  # fmt: skip
    assert contacts == [("acrc.kim", "transferred"), ("nts.choi", "transferred"), ("acrc.kim", "answered")]
    handoffs = query(stack, "SELECT h.to_center, h.summary, h.accepted_at IS NOT NULL FROM handoffs h JOIN cases c "
                     "ON c.id = h.case_id WHERE c.number = ? ORDER BY h.id", case_number)  # fmt: skip
    assert handoffs == [("NTS126", summary, 1), ("ACRC110", "다시 110 안내 필요", 1)]


def test_a_caller_overflows_to_a_partner_center_when_nobody_at_their_own_answers(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    phone = phones("gg.yoon")
    agents("gg.yoon")  # 경기도콜센터, the overflow partner of 120다산콜재단; nobody at 서울 is logged in
    # 120 from a Seoul landline reaches 120다산콜재단; 0 asks for an agent; nobody staffs the queue, so the IVR
    # offers a callback: 2 keeps waiting.
    sipp = place_call(stack, "overflow", scenarios.invite("120", "0212345678"), scenarios.key("0", 9000),
                      scenarios.key("2", 6000), scenarios.pause(1000), scenarios.stream(str(stack["caller_wav"])),
                      scenarios.pause(16000), scenarios.BYE)  # fmt: skip
    phone.wait("answered", login="gg.yoon", timeout=50)
    finish(stack, "overflow", sipp)
    rows = eventually(lambda: query(stack, "SELECT center_code, disposition, wait_seconds FROM interactions WHERE "
                                    "agent_id = ? AND ended_at IS NOT NULL AND sip_call_id LIKE '%@127.0.0.1'",
                                    agent_id(stack, "gg.yoon")),
                      what="the partner's contact")  # fmt: skip
    center, disposition, wait = rows[-1]
    assert (center, disposition) == ("GYEONGGI120", "answered")
    assert wait is not None and wait >= 5, "answered by the partner only after the overflow threshold"


def test_a_blind_transfer_to_another_centers_menu_keeps_the_case_through_its_ivr(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    phone = phones("acrc.kim", "nts.choi")
    kim = agents("acrc.kim")
    agents("nts.choi")
    caller = citizen_phone(stack, with_open_case=False, skip=())
    # 0 for an agent at 110; after the transfer the 126 menu offers to continue the case: 1 (its question
    # repeats for about 30 s, so the key lands inside it whatever the exact moment of the transfer)
    sipp = place_call(stack, "to-menu", scenarios.invite("110", caller), scenarios.key("0", 9000),
                      scenarios.key("1", 18000), scenarios.pause(1000), scenarios.stream(str(stack["caller_wav"])),
                      scenarios.pause(20000), scenarios.BYE)  # fmt: skip
    phone.wait("answered", login="acrc.kim", timeout=40)
    eventually(lambda: (kim.get("/api/v1/telephony/agents/me")["call"] or {}).get("interaction_id"),
               what="the contact")  # fmt: skip
    summary = "부가가치세 신고 문의, 국세상담센터 메뉴로 안내"
    done = kim.send("POST", "/api/v1/telephony/calls/current/transfer",
                    {"mode": "blind", "to_center": "NTS126", "summary": summary})  # fmt: skip
    invite = phone.wait("incoming", login="nts.choi", timeout=45)[0]
    assert invite["headers"].get("X-Sori-Case") == done["case_number"]
    finish(stack, "to-menu", sipp)
    contacts = eventually(lambda: query(stack, "SELECT a.login, i.disposition FROM interactions i JOIN agents a ON "
                                        "a.id = i.agent_id JOIN cases c ON c.id = i.case_id WHERE c.number = ? AND "
                                        "i.ended_at IS NOT NULL ORDER BY i.id", done["case_number"])
                          if len(query(stack, "SELECT 1 FROM interactions i JOIN cases c ON c.id = i.case_id WHERE "
                                       "c.number = ? AND i.ended_at IS NOT NULL", done["case_number"])) >= 2 else None,
                          what="two contacts on the case")  # fmt: skip
    assert contacts == [("acrc.kim", "transferred"), ("nts.choi", "answered")]
    accepted = query(stack, "SELECT h.summary, h.accepted_at IS NOT NULL FROM handoffs h JOIN cases c ON "
                     "c.id = h.case_id WHERE c.number = ?", done["case_number"])  # fmt: skip
    assert accepted == [(summary, 1)]


def test_a_worker_killed_during_a_conversation_ends_it_as_worker_lost_with_a_callback_on_the_case(
    stack: dict[str, Any], phones: Callable[..., Softphone], agents: Callable[[str], Api]
) -> None:
    """Runs last: the callback it leaves waits for a free 110 agent."""
    import datetime as dt
    import os
    import signal

    from tests.e2e.test_telephony_up import bye_received_at, worker_pids

    phone = phones("acrc.lee")
    agents("acrc.lee")
    caller, case_number = caller_with_a_case_at_110(stack)
    sipp = place_call(stack, "killed", scenarios.invite("110", caller), scenarios.key("1", 11000),
                      scenarios.pause(1000), scenarios.stream(str(stack["caller_wav"])),
                      scenarios.AWAIT_BYE.replace('timeout="20000"', 'timeout="60000"'))  # fmt: skip
    phone.wait("answered", login="acrc.lee", count=1, timeout=40)
    lee = agent_id(stack, "acrc.lee")
    eventually(lambda: query(stack, "SELECT 1 FROM interactions i JOIN cases c ON c.id = i.case_id WHERE "
                             "i.agent_id = ? AND c.number = ? AND i.ended_at IS NULL", lee, case_number),
               what="the conversation on the case")  # fmt: skip
    state = Path(stack["state"]) / "s"
    before = worker_pids(state)
    killed_at = dt.datetime.now()
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    finish(stack, "killed", sipp, timeout=30)
    assert (bye_received_at(Path(stack["state"]) / "killed.msg") - killed_at).total_seconds() < 5.0
    rows = eventually(lambda: query(stack, "SELECT i.disposition FROM interactions i JOIN cases c ON c.id = i.case_id "
                                    "WHERE i.agent_id = ? AND c.number = ? AND i.ended_at IS NOT NULL AND "
                                    "i.disposition = 'worker-lost'", lee, case_number),
                      what="the worker-lost contact")  # fmt: skip
    assert rows == [("worker-lost",)]
    callbacks = query(stack, "SELECT cb.status FROM callbacks cb JOIN cases c ON c.id = cb.case_id WHERE c.number = ? "
                      "AND cb.reason = 'worker-lost'", case_number)  # fmt: skip
    assert callbacks, "a callback task exists for the case"
    eventually(lambda: len([p for p in worker_pids(state) if p not in before]) == len(before), timeout=30,
               what="the pool replacing its workers")  # fmt: skip
