"""``sori up --demo`` as a user runs it, for the analyst: its indexer process indexes the demo text complaints
(real petitions from ../shared) and the case store's phone contacts, keeps following new contacts, and the
analyst dashboard on the same HTTP port shows both channels."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from kernel.calendar import SEOUL
from sori.seed.demo import DEMO_PASSWORD
from tests.e2e.test_sori_up import wait_healthy
from tests.support.dashboard import callback_body, post_report
from tests.support.dashboard import report_total as total_of
from tests.support.dashboard_login import post_login
from tests.support.postgres import free_port
from tests.support.shared import shared_dir

pytestmark = pytest.mark.e2e
SORI = str(Path(sys.executable).with_name("sori"))
PETITIONS = 300


def report_total(client: requests.Session, base: str, start: dt.date, end: dt.date, channel: str) -> int | None:
    """None while there is no index yet: the report area then holds the Korean "no data" message."""
    return total_of(post_report(client, base, callback_body(channel, start.isoformat(), end.isoformat())))


def eventually(read: Callable[[], int | None], want: int, what: str, deadline: float = 240) -> None:
    end, seen = time.monotonic() + deadline, None
    while time.monotonic() < end:
        seen = read()
        if seen == want:
            return
        time.sleep(1)
    raise AssertionError(f"{what}: saw {seen}, wanted {want}")


def test_the_demo_indexer_feeds_the_analyst_dashboard_and_follows_new_contacts() -> None:
    root = Path(tempfile.mkdtemp(prefix="sori-dash-"))
    sample = root / "petitions.jsonl"
    with gzip.open(shared_dir() / "data" / "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz", "rt") as source:
        sample.write_text("".join(next(source) for _ in range(PETITIONS)), encoding="utf-8")
    port, state = free_port(), root / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env |= {"SORI_LOG__FILE": str(root / "sori.log"), "SORI_ANALYTICS__DEMO_FILES": json.dumps([str(sample)]),
            "SORI_ANALYTICS__INDEX_INTERVAL_S": "0.5"}  # fmt: skip
    process = subprocess.Popen([SORI, "up", "--demo", "--no-telephony", "--port", str(port), "--state-dir", str(state)],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        analyst = requests.Session()
        login = post_login(analyst, base, {"login": "analyst", "password": DEMO_PASSWORD}, allow_redirects=False)
        assert login.status_code == 302, login.text
        today = dt.datetime.now(SEOUL).date()
        month = (today - dt.timedelta(days=32), today)

        eventually(lambda: report_total(analyst, base, dt.date(2020, 1, 1), dt.date(2020, 12, 31), "text"),
                   PETITIONS, "the demo petitions in the dashboard")  # fmt: skip
        db = sqlite3.connect(state / "sori.db")
        voice = "channel IN ('inbound-call', 'outbound-call', 'callback') AND ended_at IS NOT NULL " \
                "AND (notes IS NOT NULL OR transcript IS NOT NULL)"  # fmt: skip
        calls = db.execute(f"SELECT count(*) FROM interactions WHERE {voice}").fetchone()[0]
        assert calls > 0, "the demo seed's phone contacts"
        eventually(lambda: report_total(analyst, base, *month, "phone"), calls, "the demo's phone contacts")

        # A contact the desk finishes now (written straight into the store: this system runs without telephony)
        columns = [row[1] for row in db.execute("PRAGMA table_info(interactions)") if row[1] != "id"]
        listed = ", ".join(columns)
        with db:
            db.execute(f"INSERT INTO interactions ({listed}) SELECT {listed} FROM interactions WHERE {voice} "
                       "ORDER BY id LIMIT 1")  # fmt: skip
            db.execute("UPDATE interactions SET notes = '여권 재발급 수수료 문의', transcript = NULL, "
                       "sip_call_id = NULL WHERE id = (SELECT max(id) FROM interactions)")  # fmt: skip
        db.close()
        eventually(lambda: report_total(analyst, base, *month, "phone"), calls + 1, "a new contact, followed live",
                   deadline=60)  # fmt: skip

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        leftovers = subprocess.run(["pgrep", "-f", str(state)], capture_output=True, text=True).stdout.split()
        assert leftovers == [], "the indexer outlived sori up"
        summary = json.loads((state / "logs" / "indexer.log").read_text(encoding="utf-8").splitlines()[0])
        assert summary[str(sample)]["written"] == PETITIONS and summary["case-store"]["written"] == calls
        assert "indexer following" in (root / "sori.log").read_text(encoding="utf-8"), "its log joins sori up's"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
