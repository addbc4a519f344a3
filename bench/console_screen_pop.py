"""Screen-pop latency of the agent console over real SIP: from the desk offering a SIPp call to the agent to the
caller's timeline drawn in that agent's browser while the phone rings, and from the answer to the contact's pop.

    .venv/bin/python -m bench.console_screen_pop                # 60 calls, ~7 min on the 2-core machine
    .venv/bin/python -m bench.console_screen_pop --calls 200    # the issue's count, ~23 min
    .venv/bin/python -m bench.console_screen_pop --ring-ms 0    # the phone answers at once (no ringing pop)

The desk runs as in ``bench.desk_load`` (``tests.support.desk_rig``): ``sori up``'s real service tree on SQLite
(the console mounted at ``/console`` by ``sori.runtime.build_services``), the switchboard and the desk on its
database pool, one pjsua2 media worker, SIPp callers who dial 110 and press 0 for an agent, and an answering
pjsua2 phone standing in for the agents' phones: it rings (180) for ``--ring-ms`` (1,500 ms, a person picking
up; the desk's ring timeout is 15 s) and answers. One agent (kim, ACRC110) is signed in to the console in
Debian's headless Chromium (login form, then the 대기 button); the other agents stay logged out, so every call is
offered to kim. The callers (``--callers`` numbers, in turn) are citizens on record with a history at ACRC110 and
NTS126 (``bench.console_history``: contacts with notes, cases, a tool use, a hand-off; a month old, so the IVR
offers no case to continue). Up to ``--ahead`` further callers wait in the IVR and the queue while kim talks, so
the next offer comes as soon as kim is ready again.

Per call, **t0** is the desk's ``call-offered`` to kim on the CTI bus (``time.time()`` by a subscriber on the
reactor, where the desk publishes). Two pops, each timed to the event ``pop.js`` emits right after drawing
(``Date.now()`` in the page, recorded by handlers added with ``execute_script``) and to the next animation frame:

* **the ringing pop** (the headline): ``offer-pop`` for that call id — ``pop.js`` on the pushed ``call`` event of
  phase ``offered`` reads ``GET /agents/me/offer`` and draws the caller and the timeline before the answer.
  Parts: offer → that event in the page (SSE on ``/console/stream``); → ``offer-pop`` (the request + render).
  It counts as drawn in time only before the phone's answer; its timeline must have items.
* **the contact pop**: ``pop`` for that call's contact, from the answer. Parts: answer → contact written (the
  desk's second ``call-answered``, carrying the interaction id once the row is committed); → that event in the
  page; → ``call.js``'s ``contact`` (its ``GET /telephony/agents/me``; negative when an earlier event's read got
  there first); → ``pop`` (``GET /interactions/{id}/screen-pop`` + render); → frame.

Both clocks are this machine's wall clock (``time.time`` and ``Date.now``: comparable to about a millisecond).
A contact pop not drawn within 5 s of the contact written is counted **lost**: the benchmark then nudges call.js
(``Sori.refreshCall()``, as any later event would), checks the right contact pops, and leaves the call out of the
contact-pop latencies. Between calls, in the page as the agent's buttons would: hang up (``POST
/telephony/calls/current/hangup`` via ``Sori.api``), the wrap-up with a code (``POST /interactions/{id}/wrap-up``)
and 대기 (``Sori.setState``). Target for the ringing pop: p99 under 1 s (under 300 ms the goal).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from bench.common import Latency, emit_json, header, machine, say
from bench.console_history import Seeded, agent_actor, seed_history
from telephony.cti.bus import CtiEvent, CtiKind
from tests.support import reactor as rt
from tests.support.browser import chromium
from tests.support.desk_rig import PASSWORD, DeskRig, running_desk, wait_until

TARGET_MS, GOAL_MS = 1000.0, 300.0
AGENT = "kim"
HISTORY_CONTACTS = 6  # per caller: + a tool use and a hand-off
LOST_AFTER_S = 5.0  # a contact pop not drawn by then (from the contact written) is counted lost

#: Recorded in the page for every pushed event and the panels' events, with Date.now().
HOOK = """
if (!window.__bench) {
  window.__bench = [];
  var S = window.Sori;
  S.on("call", function (d) {
    window.__bench.push({what: "call", t: Date.now(), call_id: d && d.call_id, phase: d && d.phase,
                         interaction_id: d && d.data && d.data.interaction_id});
  });
  S.on("contact", function (c) {
    window.__bench.push({what: "contact", t: Date.now(), interaction_id: c.interaction_id});
  });
  S.on("pop", function (pop) {
    var mark = {what: "pop", t: Date.now(), interaction_id: pop.interaction.id, frame: null,
                items: document.querySelectorAll('[data-testid="timeline-item"]').length};
    window.__bench.push(mark);
    requestAnimationFrame(function () { mark.frame = Date.now(); });
  });
  S.on("offer-pop", function (d) {
    var mark = {what: "offer-pop", t: Date.now(), call_id: d.call_id, frame: null, items: d.items,
                drawn: document.querySelectorAll('[data-testid="timeline-item"]').length};
    window.__bench.push(mark);
    requestAnimationFrame(function () { mark.frame = Date.now(); });
  });
}
"""

FINISH = """
var iid = arguments[0], done = arguments[arguments.length - 1], S = window.Sori;
function wrapUp(tries) {  // as call.js's form does: the desk writes the call's end a moment after the hang-up
  return S.api("POST", "/interactions/" + iid + "/wrap-up", {wrap_up_code: "informed"}, true).then(function (w) {
    var early = w.status === 409 && w.data && w.data.error === "call-not-ended";
    if (early && tries > 1) {
      return new Promise(function (ok) { setTimeout(ok, 200); }).then(function () { return wrapUp(tries - 1); });
    }
    if (!w.ok) { done({step: "wrap-up", status: w.status, data: w.data}); return; }
    return S.setState("ready").then(function (ok) { done({step: "ready", ok: ok}); });
  });
}
S.api("POST", "/telephony/calls/current/hangup", null, true).then(function (r) {
  if (!r.ok) { done({step: "hangup", status: r.status, data: r.data}); return; }
  return wrapUp(25);
});
"""


@dataclass
class Bus:
    """The CTI events the benchmark times, recorded on the reactor thread as the desk publishes them."""

    agent_id: int
    offered: dict[str, float] = field(default_factory=dict)  # call id -> first offer to the agent
    answered: dict[str, float] = field(default_factory=dict)  # call id -> answered by the agent (bridged)
    written: dict[str, tuple[int, float]] = field(default_factory=dict)  # call id -> (interaction id, when)
    order: list[str] = field(default_factory=list)  # call ids in order of offer

    def __call__(self, event: CtiEvent) -> None:
        now = time.time()
        call = event.call_id
        if call is None:
            return
        if event.kind is CtiKind.CALL_OFFERED and event.data.get("to_agent_id") == self.agent_id:
            if call not in self.offered:
                self.offered[call] = now
                self.order.append(call)
        elif event.kind is CtiKind.CALL_ANSWERED and event.agent_id == self.agent_id:
            if event.data.get("interaction_id") is not None:
                self.written.setdefault(call, (int(event.data["interaction_id"]), now))
            else:
                self.answered.setdefault(call, now)


@dataclass
class Call:
    call_id: str
    interaction_id: int
    offered: float
    offer_sse: float  # the ``call`` event of phase offered in the page
    offer_pop: float  # ``offer-pop`` for this call (nan: never drawn)
    offer_frame: float
    offer_items: int  # timeline items of the ringing pop (as emitted and as in the DOM: the smaller)
    answered: float
    written: float
    sse: float
    contact: float
    pop: float
    frame: float
    items: int
    lost: bool  # never popped by itself: drawn only after the benchmark nudged call.js (not in the latencies)

    @property
    def ringing_pop(self) -> bool:
        """The offer's pop drawn, with a timeline, before the phone answered."""
        return self.offer_pop == self.offer_pop and self.offer_pop < self.answered and self.offer_items > 0


def seed_callers(rig: DeskRig, count: int) -> list[Seeded]:
    """``count`` citizens with a history, one number each (SIPp dials from these)."""
    actors = [agent_actor(rig.system, "choi"), agent_actor(rig.system, AGENT)]
    return [seed_history(rig.system, f"0107777{n:04d}", actors, HISTORY_CONTACTS, name=f"시민{n}", days_ago=30)
            for n in range(count)]  # fmt: skip


def sign_in(browser: webdriver.Chrome, base: str) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(f"{base}/console/login")
    browser.find_element(By.CSS_SELECTOR, '[data-testid="login-id"]').send_keys(AGENT)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="login-password"]').send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="login-submit"]').click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, '[data-testid="connection-status"]'), "연결됨"))
    browser.execute_script(HOOK)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="state-ready"]').click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, '[data-testid="agent-state"]'), "대기"))


def marks(browser: webdriver.Chrome) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], browser.execute_script("return window.__bench || [];"))


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def one_call(browser: webdriver.Chrome, bus: Bus, n: int) -> Call:
    """The ``n``-th call offered to the agent (from 0): wait for its offer, its contact and its pop; its timings."""

    def offered_call() -> str | None:
        return cast(str | None, rt.call(lambda: bus.order[n] if len(bus.order) > n else None))

    call_id: str = wait_for(offered_call, 90, f"call {n + 1} offered to {AGENT}")
    iid, written = wait_for(lambda: rt.call(bus.written.get, call_id), 30, f"call {n + 1}'s contact")

    def popped() -> dict[str, Any] | None:
        return next((m for m in marks(browser) if m["what"] == "pop" and m["interaction_id"] == iid
                     and m["frame"] is not None), None)  # fmt: skip

    lost = False
    try:
        pop = wait_for(popped, LOST_AFTER_S, f"call {n + 1}'s pop in the browser")
    except AssertionError:  # call.js dropped the event that carried the contact: nudge it as a later event would
        lost = True
        browser.execute_script("window.Sori.refreshCall();")
        pop = wait_for(popped, 30, f"call {n + 1}'s pop in the browser after a nudge")
    seen = marks(browser)
    nan = float("nan")
    sse = min((m["t"] for m in seen if m["what"] == "call" and m.get("interaction_id") == iid), default=None)
    contact = min(m["t"] for m in seen if m["what"] == "contact" and m["interaction_id"] == iid)
    rung = min((m["t"] for m in seen if m["what"] == "call" and m.get("call_id") == call_id
                and m.get("phase") == "offered"), default=None)  # fmt: skip
    drawn = next((m for m in seen if m["what"] == "offer-pop" and m["call_id"] == call_id), None)
    offer_pop = drawn["t"] / 1000 if drawn else nan
    offer_frame = drawn["frame"] / 1000 if drawn and drawn["frame"] else nan
    offer_items = min(int(drawn["items"]), int(drawn["drawn"])) if drawn else 0
    offered, answered = rt.call(lambda: (bus.offered[call_id], bus.answered.get(call_id, nan)))
    return Call(call_id, iid, offered, rung / 1000 if rung else nan, offer_pop, offer_frame, offer_items,
                answered, written, sse / 1000 if sse else nan, contact / 1000, pop["t"] / 1000, pop["frame"] / 1000,
                int(pop["items"]), lost)  # fmt: skip


def take_calls(rig: DeskRig, browser: webdriver.Chrome, bus: Bus, callers: list[str], calls: int,
               ahead: int) -> list[Call]:  # fmt: skip
    """``calls`` calls one after another, each popped, hung up, wrapped up; their timings."""
    placed = 0
    done: list[Call] = []

    def place() -> None:
        nonlocal placed
        rig.call_agent(callers[placed % len(callers)], seconds=90)
        placed += 1

    for _ in range(min(calls, 1 + ahead)):
        place()
    for n in range(calls):
        try:
            call = one_call(browser, bus, n)
        except AssertionError as error:  # keep what was measured; the caller sees the count fall short
            say(f"STOPPED after {len(done)} calls: {error}")
            break
        done.append(call)
        browser.execute_script("window.__bench.length = 0;")
        if placed < calls:
            place()
        finished = browser.execute_async_script(FINISH, call.interaction_id)
        assert finished.get("step") == "ready" and finished.get("ok"), finished
    return done


def run(calls: int, callers: int = 10, ahead: int = 2, ring_ms: int = 1500,
        quiet: bool = False) -> tuple[list[Call], int]:  # fmt: skip
    """A fresh rig whose phone rings ``ring_ms`` before answering, ``callers`` citizens seeded, ``calls`` calls;
    their timings and the items seeded per caller."""
    with tempfile.TemporaryDirectory(prefix="sori-bpop-") as name:
        workdir = Path(name)
        wav = workdir / "agent440.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth", "30", "sine", "440",
                        "vol", "0.5"], check=True)  # fmt: skip
        rt.ensure_running()
        lifetime = 180 + calls * (20 + ring_ms / 1000)  # the phone's own deadline: well past the run (~7 s a call)
        with running_desk(workdir, wav, ua_lifetime_s=lifetime, answer_after_ms=ring_ms) as rig:
            seeded = seed_callers(rig, callers)
            agent_id = agent_actor(rig.system, AGENT).agent_id
            assert agent_id is not None
            bus = Bus(agent_id)
            unsubscribe = rt.call(rig.system.cti.subscribe, bus)
            try:
                with chromium() as browser:
                    sign_in(browser, rig.base)
                    if not quiet:
                        say(f"{AGENT} is ready in the console; {callers} callers with {seeded[0].items} timeline "
                            f"items each; placing {calls} calls")  # fmt: skip
                    started = time.perf_counter()
                    taken = take_calls(rig, browser, bus, [s.phone for s in seeded], calls, ahead)
                    if not quiet:
                        say(f"{len(taken)} calls in {time.perf_counter() - started:.1f} s")
            finally:
                rt.call(unsubscribe)
                wait_until(lambda: True, 1, "")
    return taken, seeded[0].items


def report(name: str, values: list[float]) -> dict[str, Any]:
    latency = Latency.of([v for v in values if v == v])  # nan-free
    say(f"   {name:<34} {latency.text()}")
    return latency.as_dict()


def verdict(p99: float, spoiled: int, why: str) -> bool:
    met = p99 < TARGET_MS and not spoiled  # a pop missing or lost is never drawn by itself: no target is met
    say(f"   target p99 under {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}; "
        f"goal under {GOAL_MS:.0f} ms: {'met' if met and p99 < GOAL_MS else 'not met'}"
        + (f" (p99 {p99:.0f} ms, but {spoiled} {why})" if spoiled else ""))  # fmt: skip
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--calls",
        type=int,
        default=60,
        help="calls, one after another (the issue asks 200: ~7 s a call here, mostly the IVR and the ring)",
    )
    parser.add_argument("--callers", type=int, default=10, help="distinct callers with a history, in turn")
    parser.add_argument("--ahead", type=int, default=2, help="callers waiting in the IVR and queue meanwhile")
    parser.add_argument("--ring-ms", type=int, default=1500, help="how long the agent's phone rings before answering")
    args = parser.parse_args(argv)
    header("Console screen-pop latency over real SIP (desk offer -> timeline drawn in Chromium)", machine(), vars(args))
    say("t0: call-offered on the CTI bus (time.time on the reactor); t1: pop.js's offer-pop / pop event (Date.now "
        f"in the page); one machine, one wall clock; the phone rings {args.ring_ms} ms before answering")  # fmt: skip
    everything, items = run(args.calls, args.callers, args.ahead, args.ring_ms)
    right = sum(1 for c in everything if c.items >= items)  # the history grows by the benchmark's own calls
    ringing = [c for c in everything if c.ringing_pop]
    late = [c for c in everything if c.offer_pop == c.offer_pop and not c.ringing_pop]
    missing = [c for c in everything if c.offer_pop != c.offer_pop]
    lost = [c for c in everything if c.lost]
    taken = [c for c in everything if not c.lost]
    say(f"calls {len(everything)}; each drew its own contact; contact timelines with at least the {items} seeded "
        f"items: {right}")  # fmt: skip
    say(f"RINGING pops drawn with a timeline before the answer: {len(ringing)} of {len(everything)} "
        f"(drawn late or empty: {len(late)}; never drawn: {len(missing)})")  # fmt: skip
    offer_parts = {
        "offer_to_ringing_pop_drawn": [c.offer_pop - c.offered for c in everything],
        "offer_to_its_frame": [c.offer_frame - c.offered for c in everything],
        "offer_to_sse_in_page": [c.offer_sse - c.offered for c in everything],
        "sse_to_ringing_pop_drawn": [c.offer_pop - c.offer_sse for c in everything],
        "ringing_pop_drawn_to_answer": [c.answered - c.offer_pop for c in everything],
        "offer_to_answer": [c.answered - c.offered for c in everything],
    }
    figures = {name: report(name, values) for name, values in offer_parts.items()}
    offer_met = verdict(figures["offer_to_ringing_pop_drawn"]["p99_ms"], len(everything) - len(ringing),
                        "not drawn before the answer")  # fmt: skip
    say(f"LOST contact pops (not drawn within {LOST_AFTER_S:.0f} s of the contact written until nudged; not in the "
        f"figures below): {len(lost)} of {len(everything)}")  # fmt: skip
    answer_parts = {
        "answer_to_contact_pop_drawn": [c.pop - c.answered for c in taken],
        "answer_to_its_frame": [c.frame - c.answered for c in taken],
        "answer_to_contact_written": [c.written - c.answered for c in taken],
        "contact_written_to_sse_in_page": [c.sse - c.written for c in taken],
        "sse_to_contact_event": [c.contact - c.sse for c in taken],
        "contact_event_to_pop_drawn": [c.pop - c.contact for c in taken],
        "pop_to_frame": [c.frame - c.pop for c in taken],
    }
    figures |= {name: report(name, values) for name, values in answer_parts.items()}
    answer_met = verdict(figures["answer_to_contact_pop_drawn"]["p99_ms"], len(lost), "lost")
    rt.stop()
    emit_json({"bench": "console_screen_pop", "calls": len(everything), "ring_ms": args.ring_ms,
               "ringing_pops": len(ringing), "ringing_pops_late": len(late), "ringing_pops_missing": len(missing),
               "lost_pops": len(lost), "items_per_timeline": items, "full_timelines": right, "figures": figures,
               "targets": {"p99_ms": TARGET_MS, "goal_p99_ms": GOAL_MS},
               "met": {"ringing_pop": offer_met, "contact_pop": answer_met}})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
