"""A center's after-call work mode through the desk's HTTP API: the agent's view says the mode, an agent-ended
wrap-up outlasts its timer until the agent ends it (PUT state ready), and centers not named keep the default.

No media workers: the call is put through the desk's own ACD on the reactor (answered and ended as the desk
would on SIP events), then everything the agent sees and does goes over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from sori.config import AfterCallRule
from sori.wiring import System
from telephony.acd import QueueKey
from telephony.control.desk import Desk
from tests.conftest import PASSWORD
from tests.support import reactor as rt
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration
ME = "/api/v1/telephony/agents/me"


@pytest.fixture
def agent_ended(system: System) -> None:
    """ACRC110 ends wrap-up by hand (60 s suggested); SEOUL120 has none; every other center the default."""
    system.settings.telephony.after_call = {
        "ACRC110": AfterCallRule(mode="agent-ended", seconds=60),
        "SEOUL120": AfterCallRule(mode="none"),
    }


def _talk_and_hang_up(desk: Desk, login: str, center: str) -> dt.datetime:
    """A caller reaches ``login`` (ready), talks and hangs up, as the desk drives its ACD on SIP events."""

    def run() -> dt.datetime:
        now = desk.clock()
        call_id = f"test-call-{login}"
        desk._handle(desk.acd.call_arrived(call_id, QueueKey(center, "general"), now))
        desk._handle(desk.acd.call_answered(call_id, login, now + dt.timedelta(seconds=1)))
        desk._handle(desk.acd.call_ended(call_id, now + dt.timedelta(seconds=30)))
        return now + dt.timedelta(seconds=30)

    return rt.call(run)  # type: ignore[no-any-return]


def test_agent_ended_wrap_up_lasts_until_the_agent_ends_it(agent_ended: None, desk: Desk, api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    ready = kim.session.put(api.base + f"{ME}/state", json={"state": "ready"}, headers=kim._headers(None), timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["after_call_mode"] == "agent-ended"
    ended = _talk_and_hang_up(desk, "kim", "ACRC110")
    view = kim.get(ME).json()
    assert (view["state"], view["after_call_mode"]) == ("wrap-up", "agent-ended")
    assert dt.datetime.fromisoformat(view["wrapup_until"]) == ended + dt.timedelta(seconds=60)
    rt.call(lambda: desk._handle(desk.acd.tick(ended + dt.timedelta(hours=2))))  # the timer only informs
    assert kim.get(ME).json()["state"] == "wrap-up"
    done = kim.session.put(api.base + f"{ME}/state", json={"state": "ready"}, headers=kim._headers(None), timeout=10)
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["wrapup_until"]) == ("ready", None)


def test_none_skips_wrap_up_and_unnamed_centers_keep_the_timed_default(
    agent_ended: None, desk: Desk, api: RunningApi, system: System
) -> None:
    park = api.client().login("park", PASSWORD)
    park.session.put(api.base + f"{ME}/state", json={"state": "ready"}, headers=park._headers(None), timeout=10)
    _talk_and_hang_up(desk, "park", "SEOUL120")
    view = park.get(ME).json()
    assert (view["state"], view["after_call_mode"], view["wrapup_until"]) == ("ready", "none", None)
    choi = api.client().login("choi", PASSWORD)
    choi.session.put(api.base + f"{ME}/state", json={"state": "ready"}, headers=choi._headers(None), timeout=10)
    ended = _talk_and_hang_up(desk, "choi", "NTS126")
    view = choi.get(ME).json()
    assert (view["state"], view["after_call_mode"]) == ("wrap-up", "timed")
    default = system.settings.telephony.wrapup_s
    assert dt.datetime.fromisoformat(view["wrapup_until"]) == ended + dt.timedelta(seconds=default)
