"""The whole stack as ``sori up`` runs it, for end-to-end tests: seeded, on free ports, in its own state dir."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import requests

from sori.seed.demo import CENTERS_FILE
from sori.seed.demo_phones import read_demo_sip_passwords
from tests.support.postgres import free_port, free_run

SORI = str(Path(sys.executable).with_name("sori"))
PROMPTS = Path(tempfile.gettempdir()) / "sori-e2e-prompts"  # a cache shared by runs: synthesis is slow


@contextlib.contextmanager
def running_stack(env_extra: Mapping[str, str] | None = None,
                  always_open: tuple[str, ...] = ("NTS126",)) -> Iterator[dict[str, object]]:  # fmt: skip
    """``sori seed --demo`` then ``sori up`` on free ports; the centers named stay open around the clock.

    Tests must not depend on the hour they run at (most centers close at 18:00 Seoul time).
    """
    state = Path(tempfile.mkdtemp(prefix="sori-e2e-"))
    extra = dict(env_extra or {})
    workers = int(extra.get("SORI_TELEPHONY__WORKERS", "2")) + int(extra.get("SORI_TELEPHONY__SPARE_WORKERS", "0"))
    http, sip, base = free_port(), free_port(), free_run(workers)
    log = state / "sori.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env.update(
        SORI_LOG__FILE=str(log),
        SORI_TELEPHONY__WORKER_PORT_BASE=str(base),
        SORI_TELEPHONY__PROMPT_RATE="300",
        SORI_TELEPHONY__PROMPTS_DIR=str(PROMPTS),
        SORI_TELEPHONY__SPARE_WORKERS="0",  # a fixed pool unless a test asks for growth
        SORI_ANALYTICS__TRANSCRIBE_CALLS="false",  # Whisper on every test call would only slow the suite
        SORI_ANALYTICS__INDEX_CALLS="false",  # nor Kiwi in an indexer beside every call test
    )
    env.update(extra)
    subprocess.run([SORI, "seed", "--demo", "--state-dir", str(state / "s")], cwd=state, env=env, check=True,
                   capture_output=True)  # fmt: skip
    centers = state / "centers.csv"
    rows = CENTERS_FILE.read_text(encoding="utf-8").splitlines()
    centers.write_text("\n".join(r.replace("mon-fri 09:00-18:00", "24/7") if r.split(",")[0] in always_open else r
                                 for r in rows) + "\n", encoding="utf-8")  # fmt: skip
    subprocess.run([SORI, "centers", "import", str(centers), "--state-dir", str(state / "s")], cwd=state, env=env,
                   check=True, capture_output=True)  # fmt: skip
    process = subprocess.Popen(
        [SORI, "up", "--port", str(http), "--sip-port", str(sip), "--state-dir", str(state / "s")],
        cwd=state, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        ready = False
        while time.monotonic() < deadline and not ready:
            assert process.poll() is None, f"sori up exited: {log.read_text() if log.exists() else ''}"
            text = log.read_text(encoding="utf-8") if log.exists() else ""
            ready = '"prompts ready"' in text and '"sori up"' in text
            time.sleep(0.5)
        assert ready, "sori up did not get ready"
        assert requests.get(f"http://127.0.0.1:{http}/healthz", timeout=5).status_code == 200
        time.sleep(1.0)  # the workers' hello and the edge's dispatcher probe
        yield {"process": process, "sip": sip, "state": state, "log": log, "base": base, "http": http,
               "sip_passwords": read_demo_sip_passwords(state / "s")}  # the seed's random phone passwords
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if not os.environ.get("E2E_KEEP_STATE"):  # keep it to debug a failure
            shutil.rmtree(state, ignore_errors=True)
