"""The whole system started as a user starts it: `sori up --demo` on a free port with its own state directory."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sori.seed.demo import DEMO_PASSWORD
from tests.support.postgres import free_port

pytestmark = pytest.mark.e2e
SORI = str(Path(sys.executable).with_name("sori"))


def wait_healthy(base: str, process: subprocess.Popen[bytes], deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"sori up exited with {process.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("sori up did not become healthy")


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    root = Path(tempfile.mkdtemp(prefix="sori-up-"))  # short: Unix socket paths live under it
    port, sip = free_port(), free_port()
    log = root / "sori.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env["SORI_LOG__FILE"] = str(log)
    env["SORI_ANALYTICS__DEMO_FILES"] = "[]"  # no demo petitions for Kiwi to index beside this test
    # Never the default ports (5060, 5070, 8080): a developer's `sori up` may be running beside the tests.
    env["SORI_TELEPHONY__WORKER_PORT_BASE"] = str(free_port())
    env["SORI_TELEPHONY__WORKERS"] = "1"
    env["SORI_TELEPHONY__PROMPTS_DIR"] = str(Path(tempfile.gettempdir()) / "sori-e2e-prompts")
    process = subprocess.Popen(
        [SORI, "up", "--demo", "--port", str(port), "--sip-port", str(sip), "--state-dir", str(root / "state")],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield process, base, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def test_demo_system_serves_a_screen_pop_and_stops_cleanly_on_sigterm(
    running: tuple[subprocess.Popen[bytes], str, Path],
) -> None:
    process, base, log = running
    login = requests.post(f"{base}/api/v1/auth/login", json={"login": "admin", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    centers = requests.get(f"{base}/api/v1/centers", headers=headers).json()["centers"]
    assert len(centers) == 156
    pop = requests.get(
        f"{base}/api/v1/citizens",
        params={"phone": "010-5000-0003", "purpose": "review", "reason": "데모 확인"},
        headers=headers,
    )
    assert pop.status_code == 200 and pop.json()["citizens"], pop.text
    port = int(base.rsplit(":", 1)[1])
    state = str(log.parent / "state")
    children = subprocess.run(["pgrep", "-f", state], capture_output=True, text=True).stdout.split()
    assert len(children) >= 2, "kamailio and a media worker run under sori up"  # (pgrep sees sori up too)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    with socket.socket() as s:
        # SO_REUSEADDR tolerates TIME_WAIT remnants but not a listener: nothing is left holding the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()
    leftovers = subprocess.run(["pgrep", "-f", state], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "kamailio or a media worker outlived sori up"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    up = [line for line in lines if line["msg"] == "sori up"]
    assert len(up) == 1 and any(line["msg"] == "sori stopped" for line in lines)
    assert up[0]["frozen_objects"] > 100_000, "start-up's objects are out of the collector's way (settle_heap)"
    text = log.read_text(encoding="utf-8")
    assert "010-5000-0003" not in text and not re.search(r"\d{6}-?[1-4]\d{6}", text)


def test_second_start_on_the_same_state_is_idempotent(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    for _ in range(2):
        out = subprocess.run(
            [SORI, "seed", "--demo", "--state-dir", str(state)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {
        "centers_created": 0,
        "centers_updated": 0,
        "center_errors": [],
        "agents_created": 0,
        "citizens_created": 0,
        "cases_created": 0,
    }
    check = subprocess.run(
        [SORI, "db", "check", "--state-dir", str(state)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_centers_import_reports_bad_rows_and_loads_the_rest(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    state = tmp_path / "state"
    data = tmp_path / "centers.csv"
    data.write_text(
        "code,name,institution,public_number,hours\n"
        "ACRC110,정부민원안내콜센터,국민권익위원회,110,mon-fri 09:00-18:00\n"
        "bad code,이상한 센터,기관,110,mon-fri 09:00-18:00\n"
        "NTS126,국세상담센터,국세청,126,mon-fri 25:00-18:00\n"
        "SEOUL120,120다산콜재단,서울특별시,120,24/7\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [SORI, "centers", "import", str(data), "--state-dir", str(state)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "line 3 (bad code)" in out.stderr and "line 4 (NTS126)" in out.stderr
    assert json.loads(out.stdout)["created"] == 2
    data.write_text(
        "code,name,institution,public_number,active\nSEOUL120,120다산콜재단,서울특별시,120,no\n", encoding="utf-8"
    )
    out = subprocess.run(
        [SORI, "centers", "import", str(data), "--state-dir", str(state)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["updated"] == 1 and report["not_in_file"] == ["ACRC110"]


def test_agents_add_stores_only_hashes(tmp_path: Path) -> None:
    import hashlib
    import sqlite3

    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    state = tmp_path / "state"
    subprocess.run([SORI, "seed", "--demo", "--state-dir", str(state)], cwd=tmp_path, env=env, check=True,
                   capture_output=True)  # fmt: skip
    command = [SORI, "agents", "add", "--login", "nts.new", "--center", "NTS126", "--name", "상담사 신규",
               "--state-dir", str(state)]  # fmt: skip
    short = subprocess.run(command, input="short\n", cwd=tmp_path, env=env, capture_output=True, text=True)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    done = subprocess.run(command, input="a long enough pass\n", cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(state / "sori.db") as conn:
        password_hash, ha1 = conn.execute(
            "SELECT password_hash, sip_ha1 FROM agents WHERE login = 'nts.new'").fetchone()  # fmt: skip
    assert password_hash.startswith("$argon2id$") and "a long enough pass" not in password_hash
    sip = done.stdout.split("sip-password ", 1)[1].strip()  # the phone's own random password, shown once
    assert ha1 == hashlib.md5(f"nts.new:sori:{sip}".encode()).hexdigest()
    assert ha1 != hashlib.md5(b"nts.new:sori:a long enough pass").hexdigest()
    again = subprocess.run(command, input="a long enough pass\n", cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr
