"""What a new user meets on a fresh machine: ``sori up`` refuses to start without a program it needs (naming it
and the command that installs it), and ``sori doctor`` lists every part with ok/missing and exits 0 or 1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crm.store import migrate
from crm.store.engine import make_engine
from sori.config import load_settings
from sori.doctor import Status, database_check, refuse_to_start, state_dir_check, up_checks
from tests.support.postgres import free_port

pytestmark = pytest.mark.integration


def sori() -> str:
    beside_python = Path(sys.executable).with_name("sori")
    found = str(beside_python) if beside_python.exists() else shutil.which("sori")
    if found is None:
        pytest.fail("the sori command is not installed (pip install -e . in the venv)")
    return found


def bin_without(tmp_path: Path, *missing: str) -> Path:
    """A PATH directory with the programs Sori runs, except ``missing``."""
    folder = tmp_path / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("espeak-ng", "sox", "sipp", "baresip"):
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed here (./dev test installs it)")
        if name not in missing:
            (folder / name).symlink_to(found)
    return folder


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    return {**env, **extra}


def test_sori_up_demo_without_sipp_stops_at_once_naming_the_part_and_its_install_command(tmp_path: Path) -> None:
    path = bin_without(tmp_path, "sipp")
    args = [sori(), "up", "--demo", "--state-dir", str(tmp_path / "state"), "--port", str(free_port()),
            "--sip-port", str(free_port())]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env=clean_env(PATH=str(path)))  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    errors = [e for e in errors if e.get("level") == "error"]
    assert any(e.get("part") == "sipp" and e.get("install") == "apt-get install sip-tester" for e in errors), errors
    assert not (tmp_path / "state" / "sori.db").exists(), "nothing started: not even the database"


def test_up_checks_name_each_missing_program_and_its_package(tmp_path: Path) -> None:
    log = _Recorder()
    settings = load_settings(state_dir=tmp_path / "state", edge={"binary": "/nonexistent/kamailio"})
    path = str(bin_without(tmp_path, "espeak-ng", "baresip"))
    checks = {c.part: c for c in up_checks(settings, simulate=True, path=path)}
    assert {p for p, c in checks.items() if c.blocking} == {"kamailio", "espeak-ng"}
    assert (checks["kamailio"].fix, checks["espeak-ng"].fix) == (
        "apt-get install kamailio",
        "apt-get install espeak-ng",
    )
    assert checks["baresip"].status is Status.MISSING and not checks["baresip"].blocking  # a warning only
    assert refuse_to_start(settings, True, log.logger, path=path)
    assert {(r.levelname, getattr(r, "part", None)) for r in log.records} >= {
        ("ERROR", "kamailio"), ("ERROR", "espeak-ng"), ("WARNING", "baresip")}  # fmt: skip
    complete = load_settings(state_dir=tmp_path / "state")
    if not Path(complete.edge.binary).is_file():
        pytest.skip("kamailio is not installed here")
    full = str(bin_without(tmp_path / "full"))
    assert not refuse_to_start(complete, True, log.logger, path=full)
    no_sipp = str(bin_without(tmp_path / "no-sipp", "sipp"))
    assert not refuse_to_start(complete, False, log.logger, path=no_sipp), "SIPp is for the simulation only"
    assert refuse_to_start(complete, True, log.logger, path=no_sipp)
    assert up_checks(load_settings(state_dir=tmp_path, telephony={"enabled": False}), True, path=no_sipp) == []


def test_simulated_callers_without_sipp_log_an_error_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`sori simulate` (no start-up check of its own) says why no caller calls, at ERROR, instead of a SIPp
    that never started."""
    from twisted.internet.testing import MemoryReactor

    from telephony.sim.plan import CenterLoad
    from telephony.sim.service import SimulationConfig, SimulationService

    monkeypatch.setenv("PATH", str(bin_without(tmp_path, "sipp")))
    config = SimulationConfig("http://127.0.0.1:1", "127.0.0.1", 5060, (CenterLoad("MOHW129", "129", 2.0),), ())
    reactor = MemoryReactor()
    sim = SimulationService(config, tmp_path / "sim", reactor)
    (tmp_path / "sim").mkdir()
    with caplog.at_level("ERROR", logger="sori.sim"):
        sim._callers(config.loads[0], tmp_path / "caller.wav")
    assert sim.callers == [] and "apt-get install sip-tester" in caplog.text and "MOHW129" in caplog.text


def test_doctor_exits_0_when_sori_up_has_what_it_needs_and_1_with_a_part_missing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    ok = subprocess.run([sori(), "doctor", "--no-telephony", "--json", "--state-dir", str(state)],
                        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=clean_env())  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    parts = {p["part"]: p for p in json.loads(ok.stdout)["parts"]}
    assert parts["python"]["status"] == "ok" and parts["state-dir"]["status"] == "ok"
    assert {"kamailio", "sipp", "whisper", "database", "demo-data", "chromium", "postgresql"} <= set(parts)
    path = bin_without(tmp_path, "sipp")
    bad = subprocess.run([sori(), "doctor", "--demo", "--state-dir", str(state)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path, env=clean_env(PATH=str(path)))  # fmt: skip
    assert bad.returncode == 1, bad.stdout + bad.stderr
    line = next(line for line in bad.stdout.splitlines() if " sipp " in line)
    assert line.startswith("[없음] 필수") and "apt-get install sip-tester" in bad.stdout
    assert "not ok" in bad.stdout.splitlines()[-1] and "sipp" in bad.stdout.splitlines()[-1]


def test_doctor_database_reachable_and_migrated(tmp_path: Path) -> None:
    settings = load_settings(state_dir=tmp_path)
    assert database_check(settings).status is Status.NOTE  # none yet: `sori up` creates and migrates it
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine, "0004")
    behind = database_check(settings)
    assert behind.status is Status.NOTE and not behind.blocking and behind.fix and "db upgrade" in behind.fix
    migrate.upgrade(engine)
    engine.dispose()
    assert database_check(settings).status is Status.OK
    closed = load_settings(state_dir=tmp_path, database={"url": f"postgresql://sori@127.0.0.1:{free_port()}/sori"})
    unreachable = database_check(closed)
    assert unreachable.status is Status.BROKEN and unreachable.blocking


def test_doctor_state_dir_must_be_writable_and_not_readable_by_others(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "sori.db").write_bytes(b"")
    os.chmod(state / "sori.db", 0o644)
    settings = load_settings(state_dir=state)
    assert state_dir_check(settings).status is Status.OK  # 0700: nobody else gets in
    os.chmod(state, 0o755)
    exposed = state_dir_check(settings)
    assert exposed.blocking and "sori.db" in exposed.detail and exposed.fix == f"chmod -R go-rwx {state}"
    os.chmod(state / "sori.db", 0o600)
    loose = state_dir_check(settings)
    assert loose.status is Status.NOTE and not loose.blocking
    assert state_dir_check(load_settings(state_dir=state / "new")).status is Status.OK  # sori up creates it


class _Recorder:
    def __init__(self) -> None:
        import logging

        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger("test.doctor")
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        handler = logging.Handler()
        handler.emit = self.records.append  # type: ignore[method-assign]
        self.logger.addHandler(handler)
