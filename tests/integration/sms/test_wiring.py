"""``sori up``'s service tree runs the reference SMS gateway (a supervised child on loopback, its key in a
0600 file, never on argv) and hands the HTTP adapter, built once, to the API; stopping the tree stops it."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from twisted.internet import task
from twisted.internet.process import reapAllProcesses

from integrations.sms.http_adapter import HttpSmsGateway
from integrations.sms.port import SentMessage, SmsUnavailable
from sori.children import SupervisedProcess
from tests.support import reactor as rt
from tests.support.api import RunningApi
from tests.support.postgres import free_port
from tests.support.sms import handset
from tests.support.system import make_system

pytestmark = pytest.mark.integration
NO_TOOLS = {tool: {"enabled": False} for tool in ("public_services", "certificates", "bills")}  # no refsvc child


@pytest.fixture(autouse=True)
def reaper() -> Iterator[None]:
    """The test reactor has no SIGCHLD handler: reap children as the handler would (see test_children)."""
    loop = task.LoopingCall(reapAllProcesses)
    rt.call(lambda: loop.start(0.05, now=False) and None)
    yield
    rt.call(loop.stop)


def send_when_up(gateway: HttpSmsGateway, deadline_s: float = 20.0) -> SentMessage:
    """The child needs a moment to start: retry (same key: never twice) until it answers."""
    until = time.monotonic() + deadline_s
    while True:
        try:
            return gateway.send("01070000001", "[110] 인증번호 777777", idempotency_key="wired-1")
        except SmsUnavailable:
            if time.monotonic() > until:
                raise
            gateway.breaker.close()
            time.sleep(0.2)


def test_sori_up_starts_the_reference_gateway_and_the_api_gets_the_adapter(tmp_path: Path,
                                                                            sqlite_template: Path) -> None:  # fmt: skip
    shutil.copyfile(sqlite_template, tmp_path / "sori.db")
    port = free_port()
    system = make_system(f"sqlite:///{tmp_path / 'sori.db'}", tmp_path / "state",
                         integrations={"sms": {"reference_port": port, "deadline_s": 2}, **NO_TOOLS})  # fmt: skip
    system.sms = None  # as `sori up` builds it (the test systems get the in-memory gateway)
    api = RunningApi(system)
    try:
        gateway = system.sms
        assert isinstance(gateway, HttpSmsGateway) and gateway.base == f"http://127.0.0.1:{port}"
        assert system.api_deps().sms is gateway  # the one adapter, as the handlers see it
        key_file = tmp_path / "state" / "secrets" / "sms-api.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        child = api.root.getServiceNamed("sms-reference")
        assert isinstance(child, SupervisedProcess) and child.pid is not None
        key = key_file.read_text().strip()
        assert key.encode() not in Path(f"/proc/{child.pid}/cmdline").read_bytes()
        sent = send_when_up(gateway)
        assert sent.status == "delivered"
        texts = [m["text"] for m in handset(gateway.base, key, "01070000001")]
        assert texts == ["[110] 인증번호 777777"]
        pid = child.pid
    finally:
        api.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_sms_can_be_turned_off(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "sori.db")
    system = make_system(
        f"sqlite:///{tmp_path / 'sori.db'}", tmp_path / "state", integrations={"sms": {"enabled": False}, **NO_TOOLS}
    )
    system.sms = None
    api = RunningApi(system)
    try:
        assert system.sms is None and system.api_deps().sms is None
        with pytest.raises(KeyError):
            api.root.getServiceNamed("sms-reference")
    finally:
        api.stop()
