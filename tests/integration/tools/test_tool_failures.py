"""A government system that dies or freezes costs the agent little: the reference service is killed mid-use,
or stopped with SIGSTOP (the kernel still accepts connections; nothing answers). Reads fail within the
deadline (2 s) until the circuit opens, then at once (under 100 ms) with a Korean message; the circuit lets a
trial call through after its reset time and the tool works again. Through the agents' API the same outage is a
503 with that message, recorded on the contact, while the rest of the API keeps answering."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.store import tables
from integrations.public_services.http_adapter import HttpDirectory
from integrations.public_services.port import PublicServicesUnavailable
from integrations.settings import ToolConfig
from tests.conftest import PASSWORD, build_test_world
from tests.support.api import RunningApi
from tests.support.contacts import connect_call
from tests.support.refsvc import RefSvc, key_of, start_refsvc, tool_settings
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
FAST_FAIL_S = 0.1
DEADLINE_S = 2.0
SLACK_S = 0.8  # scheduling on a loaded 2-core machine


@pytest.fixture
def own_refsvc(tmp_path: Path) -> Iterator[RefSvc]:
    service = start_refsvc(tmp_path / "refsvc")
    yield service
    service.stop()


def directory(refsvc: RefSvc, reset_s: float = 1.0) -> HttpDirectory:
    config = ToolConfig(deadline_s=DEADLINE_S, breaker_failures=3, breaker_reset_s=reset_s)
    return HttpDirectory(refsvc.base("public-services"), key_of("public-services"), config)


def failing(tool: HttpDirectory) -> tuple[str, float, str]:
    started = time.monotonic()
    with pytest.raises(PublicServicesUnavailable) as down:
        tool.search("아동수당")
    return str(down.value.details["reason"]), time.monotonic() - started, down.value.message


def test_a_killed_system_fails_fast_then_the_circuit_opens_and_recovers(own_refsvc: RefSvc) -> None:
    tool = directory(own_refsvc)
    assert tool.search("아동수당").total > 0
    own_refsvc.kill()
    reasons = [failing(tool) for _ in range(3)]
    assert {r[0] for r in reasons} == {"connection-failed"}
    assert all(elapsed < DEADLINE_S + SLACK_S for _, elapsed, _ in reasons)
    reason, elapsed, message = failing(tool)
    assert reason == "circuit-open" and elapsed < FAST_FAIL_S, (reason, elapsed)
    assert "잠시 후 다시 시도해 주세요" in message
    restarted = own_refsvc.restart()
    try:
        time.sleep(1.1)  # the breaker's reset time: one trial call goes through
        assert tool.search("아동수당").total > 0
    finally:
        restarted.stop()


def test_a_frozen_system_times_out_within_the_deadline_then_fails_at_once(own_refsvc: RefSvc) -> None:
    tool = directory(own_refsvc, reset_s=30)
    assert tool.search("아동수당").total > 0
    own_refsvc.pause()
    try:
        timed = [failing(tool) for _ in range(3)]
        assert {r[0] for r in timed} == {"timeout"}
        assert all(DEADLINE_S - 0.5 <= elapsed <= DEADLINE_S + SLACK_S for _, elapsed, _ in timed), timed
        quick = [failing(tool) for _ in range(20)]
        assert {r[0] for r in quick} == {"circuit-open"}
        assert max(elapsed for _, elapsed, _ in quick) < FAST_FAIL_S
    finally:
        own_refsvc.resume()


def test_through_the_api_an_outage_is_a_clear_503_recorded_on_the_contact(
    own_refsvc: RefSvc, tmp_path: Path, clock: FakeClock, password_hash: str, sqlite_template: Path
) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "sori.db")
    settings = tool_settings(own_refsvc)
    settings["public_services"].update(read_timeout_s=1.5, deadline_s=DEADLINE_S, breaker_failures=3)
    system = build_test_world(f"sqlite:///{tmp_path / 'sori.db'}", tmp_path / "state", clock, password_hash,
                              integrations=settings)  # fmt: skip
    api = RunningApi(system)
    try:
        lee = api.client().login("lee", PASSWORD)
        iid = connect_call(system, "lee", None)["interaction"]["id"]
        assert lee.get("/api/v1/tools/public-services", {"q": "아동수당", "interaction_id": iid}).status_code == 200
        own_refsvc.kill()
        answers = []
        for _ in range(5):
            started = time.monotonic()
            reply = lee.get("/api/v1/tools/public-services", {"q": "아동수당", "interaction_id": iid})
            answers.append((reply.status_code, reply.json()["error"], time.monotonic() - started))
        assert {a[:2] for a in answers} == {(503, "public-services-unavailable")}
        assert max(a[2] for a in answers[3:]) < 0.5  # circuit open: only the API's own round trip is left
        assert "잠시 후" in reply.json()["message"]
        assert lee.get("/healthz").status_code == 200  # the rest of the API keeps working
        assert lee.get("/api/v1/telephony/agents/me").status_code in (200, 503)
        with system.engine.connect() as conn:
            outcomes = [r.outcome for r in conn.execute(select(tables.tool_uses).order_by(tables.tool_uses.c.id))]
        assert outcomes == ["ok"] + ["unavailable"] * 5  # every use is kept, the failed ones too
    finally:
        api.stop()
        system.engine.dispose()
