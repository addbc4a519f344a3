"""``sori simulate`` against a running ``sori up``: SIPp callers dial four centers, agent bots on real
softphones answer through the ACD, talk, transfer some calls, hang up and write their notes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from telephony.sim.plan import NOTES
from tests.e2e.stack import SORI, running_stack

pytestmark = pytest.mark.e2e
CENTERS = ("ACRC110", "NTS126", "MOHW129", "MOEL1350")


def test_simulated_callers_reach_agent_bots_who_talk_transfer_and_write_notes() -> None:
    env = {"SORI_TELEPHONY__WRAPUP_S": "2", "SORI_TELEPHONY__WORKERS": "3"}
    with running_stack(env, always_open=CENTERS) as stack:
        state = Path(str(stack["state"]))
        done = subprocess.run(
            [SORI, "simulate", "--http", f"http://127.0.0.1:{stack['http']}", "--sip", f"127.0.0.1:{stack['sip']}",
             "--minutes", "1.6", "--rate-scale", "3", "--handle-mean", "8", "--transfer-share", "0.3",
             "--drop-share", "0", "--seed", "11", "--state-dir", str(state / "sim"),
             "--sip-passwords", str(state / "s" / "secrets" / "demo-sip-passwords.json")],
            cwd=state, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        handled = sum(b["handled"] for b in summary["bots"].values())
        assert set(summary["bots"]) == {"acrc.lee", "nts.choi", "mohw.han", "moel.jung"}
        assert handled >= 4, summary
        with sqlite3.connect(state / "s" / "sori.db") as conn:
            rows = conn.execute(
                "SELECT a.login, i.disposition, i.notes, i.completed_at IS NOT NULL, i.wrap_up_code "
                "FROM interactions i JOIN agents a ON a.id = i.agent_id WHERE i.sip_call_id LIKE '%@127.0.0.1'"
            ).fetchall()
        bots = {"acrc.lee", "nts.choi", "mohw.han", "moel.jung"}
        assert rows and {login for login, *_ in rows} <= bots
        wrapped = [r for r in rows if r[3] and r[2] in NOTES]
        assert len(wrapped) >= 3, rows
        assert {r[4] for r in wrapped} <= {"informed", "resolved", "transferred"}, rows  # the center's codes
        assert {r[1] for r in rows} <= {"answered", "transferred"}, rows


def test_sori_up_demo_shows_a_live_center_and_stops_every_simulated_process() -> None:
    """A newcomer's first command: the demo seeds, starts the bots and callers, and SIGTERM stops them all.

    보건복지상담센터 (129) is open around the clock, so the demo has calls whatever the hour."""
    import os
    import shutil
    import signal
    import tempfile
    import time

    from tests.e2e.stack import PROMPTS
    from tests.support.postgres import free_port, free_run

    state = Path(tempfile.mkdtemp(prefix="sori-demo-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env.update(SORI_TELEPHONY__WORKER_PORT_BASE=str(free_run(6)), SORI_TELEPHONY__PROMPTS_DIR=str(PROMPTS),
               SORI_TELEPHONY__PROMPT_RATE="300", SORI_LOG__FILE=str(state / "sori.log"),
               SORI_ANALYTICS__DEMO_FILES="[]")  # fmt: skip
    process = subprocess.Popen(
        [SORI, "up", "--demo", "--port", str(free_port()), "--sip-port", str(free_port()), "--state-dir",
         str(state / "s")], cwd=state, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        rows: list[tuple[object, ...]] = []
        while time.monotonic() < deadline and not rows:
            assert process.poll() is None, (state / "sori.log").read_text()[-3000:]
            time.sleep(2)
            if (state / "s" / "sori.db").exists():
                with sqlite3.connect(state / "s" / "sori.db") as conn:
                    try:
                        rows = conn.execute(
                            "SELECT a.login FROM interactions i JOIN agents a ON a.id = i.agent_id "
                            "WHERE i.sip_call_id LIKE '%@127.0.0.1'"
                        ).fetchall()
                    except sqlite3.OperationalError:  # the file exists before its tables: still migrating
                        continue
        assert rows, "no simulated call reached an agent bot"
        log = (state / "sori.log").read_text(encoding="utf-8")
        assert '"simulation running"' in log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        time.sleep(1)
        left = subprocess.run(["pgrep", "-fa", str(state)], capture_output=True, text=True).stdout.splitlines()
        log_file = state / "sori.log"
        tail = log_file.read_text(encoding="utf-8")[-6000:] if log_file.exists() else ""
        shutil.rmtree(state, ignore_errors=True)
    assert process.returncode == 0, f"sori up did not stop within 60 s of SIGTERM; its log ends:\n{tail}"
    assert not left, f"processes left behind: {left}"
