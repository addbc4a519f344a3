"""Helpers for the SIP edge tests: a Kamailio started from Sori's own layout, SIPp peers, raw SIP.

The edge is started exactly as the supervisor starts it (``layout.prepare`` and
``layout.command``) but with ``subprocess`` so the tests need no reactor. Every
process is started in its own session and killed as a group, with timeouts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sori.seed.demo import CENTERS_FILE, read_centers_file
from telephony.edge.control import EdgeControl, EdgeRpcError
from telephony.edge.kamcfg import EdgePaths
from telephony.edge.layout import command, prepare
from telephony.edge.numbers import NumberPlan
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress

SCENARIOS = Path(__file__).with_name("scenarios")
SIPP = "/usr/bin/sipp"


def number_plan() -> NumberPlan:
    centers, errors = read_centers_file(CENTERS_FILE)
    assert not errors
    return NumberPlan.from_centers(centers)


def _kill_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group, even if the leader is gone
    proc.wait(timeout=5)


@dataclass
class RunningEdge:
    config: EdgeConfig
    paths: EdgePaths
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def control(self) -> EdgeControl:
        return EdgeControl.at(self.paths.rpc_socket)

    @property
    def address(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        _kill_group(self.proc, grace=3)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_edge(
    state_dir: Path,
    config: EdgeConfig,
    workers: list[WorkerAddress],
    subscribers: list[Subscriber] | None = None,
    timeout: float = 10,
) -> RunningEdge:
    paths = prepare(config, number_plan(), workers, subscribers or [], state_dir)
    log = state_dir / "kamailio.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command(config, paths), cwd=state_dir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    edge = RunningEdge(config, paths, proc, log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            EdgeControl.at(paths.rpc_socket, timeout=0.2).ping()
            return edge
        except EdgeRpcError:
            if not edge.alive() or time.monotonic() > deadline:
                edge.stop()
                raise RuntimeError(f"kamailio did not start:\n{edge.log_text()[-3000:]}") from None
            time.sleep(0.05)


@dataclass
class Sipp:
    """One SIPp process (UAS or UAC) with its message trace."""

    proc: subprocess.Popen[bytes]
    trace: Path
    errors: Path
    name: str

    def wait(self, timeout: float = 20) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc, grace=1)
            raise AssertionError(f"sipp {self.name} hung; trace:\n{self.trace_text()[-3000:]}") from None

    def stop(self) -> None:
        _kill_group(self.proc, grace=1)

    def trace_text(self) -> str:
        return self.trace.read_text(errors="replace") if self.trace.exists() else ""

    def explain(self) -> str:
        errors = self.errors.read_text(errors="replace") if self.errors.exists() else ""
        return f"sipp {self.name}: errors:\n{errors[-2000:]}\ntrace:\n{self.trace_text()[-3000:]}"


@dataclass
class SippFactory:
    """Starts SIPp processes in a test's directory and kills them all at the end."""

    workdir: Path
    started: list[Sipp] = field(default_factory=list)

    def run(
        self,
        scenario: str,
        local_port: int,
        remote: str | None = None,
        service: str | None = None,
        calls: int = 1,
        hold_ms: int = 0,
        transport: str = "u1",
        variables: dict[str, str] | None = None,
        code: str | None = None,
        auth: tuple[str, str] | None = None,
        local_ip: str = "127.0.0.1",
    ) -> Sipp:
        name = f"{Path(scenario).stem}-{local_port}-{uuid.uuid4().hex[:6]}"
        text = (SCENARIOS / scenario).read_text()
        if code is not None:
            text = text.replace("__CODE__", code)
        script = self.workdir / f"{name}.xml"
        script.write_text(text)
        trace, errors = self.workdir / f"{name}.msg", self.workdir / f"{name}.err"
        argv = [SIPP, "-sf", str(script), "-i", local_ip, "-p", str(local_port), "-t", transport]
        argv += ["-m", str(calls), "-nostdin", "-timeout", "30s", "-timeout_error", "-max_recv_loops", "100"]
        argv += ["-trace_msg", "-message_file", str(trace), "-trace_err", "-error_file", str(errors), "-nr"]
        if service is not None:
            argv += ["-s", service]
        if auth is not None:
            argv += ["-au", auth[0], "-ap", auth[1]]
        if hold_ms:
            argv += ["-d", str(hold_ms)]
        for key, value in (variables or {}).items():
            argv += ["-set", key, value]
        if remote is not None:
            argv.append(remote)
        proc = subprocess.Popen(
            argv, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        sipp = Sipp(proc, trace, errors, name)
        self.started.append(sipp)
        return sipp

    def stop_all(self) -> None:
        for sipp in self.started:
            sipp.stop()


def wait_for_udp_listener(port: int, timeout: float = 5) -> None:
    """Wait until something is bound to UDP ``port`` on loopback (a SIPp UAS ready for its INVITE)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.02)
    raise AssertionError(f"nothing listening on udp {port}")


def options(
    edge_port: int, source_ip: str = "127.0.0.1", user_agent: str = "sori-test", timeout: float = 1.0, size: int = 0
) -> str | None:
    """Send one OPTIONS to the edge from ``source_ip``; the status line of the answer, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source_ip, 0))
        sock.settimeout(timeout)
        port = sock.getsockname()[1]
        message = sip_options(edge_port, source_ip, port, user_agent, size)
        sock.sendto(message, ("127.0.0.1", edge_port))
        try:
            data = sock.recv(65535)
        except TimeoutError:
            return None
    return data.split(b"\r\n", 1)[0].decode()


def sip_options(edge_port: int, source_ip: str, source_port: int, user_agent: str, size: int = 0) -> bytes:
    branch = uuid.uuid4().hex
    padding = f"X-Padding: {'a' * size}\r\n" if size else ""
    return (
        f"OPTIONS sip:127.0.0.1:{edge_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {source_ip}:{source_port};branch=z9hG4bK{branch}\r\n"
        f"From: <sip:probe@{source_ip}>;tag={branch[:8]}\r\n"
        f"To: <sip:127.0.0.1:{edge_port}>\r\n"
        f"Call-ID: {branch}@{source_ip}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Max-Forwards: 70\r\n"
        f"User-Agent: {user_agent}\r\n"
        f"{padding}"
        "Content-Length: 0\r\n\r\n"
    ).encode()
