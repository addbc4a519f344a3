"""What the telephony benchmark needs around SIPp: the stack as a user starts it, /proc sampling, SIPp's files.

``Stack`` runs ``sori seed --demo``, opens NTS126 around the clock with ``sori centers import`` and
starts ``sori up`` on free ports in its own state directory (as ``tests.e2e.stack.running_stack``
does, with more media workers on consecutive free ports), and stops it with SIGTERM. ``ProcessSampler``
reads CPU ticks and RSS of the stack's processes from ``/proc`` (psutil is not a dependency).
``sipp`` runs SIPp to completion; ``read_rtt`` and ``read_stats`` parse the CSV files it leaves.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sori.seed.demo import CENTERS_FILE
from tests.support.postgres import free_port, free_run

SORI = str(Path(sys.executable).with_name("sori"))
SIPP = "/usr/bin/sipp"
# The prompt cache the e2e tests use: synthesis happens once per machine, not once per run.
PROMPTS = Path(tempfile.gettempdir()) / "sori-e2e-prompts"
PROMPT_RATE = 300
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Stack:
    """A running ``sori up``: its process, ports and state directory (``root``; Sori's state is ``root/s``)."""

    root: Path
    process: subprocess.Popen[bytes]
    http: int
    sip: int
    worker_base: int
    workers: int
    spare: int
    env: dict[str, str]
    left_behind: list[int] = field(default_factory=list)  # set by ``stop``: processes SIGTERM did not end

    @property
    def state(self) -> Path:
        return self.root / "s"

    @property
    def log(self) -> Path:
        return self.root / "sori.log"

    @property
    def db(self) -> Path:
        return self.state / "sori.db"

    @property
    def recordings(self) -> Path:
        return self.state / "recordings"

    def pids(self) -> dict[str, list[int]]:
        """The stack's processes by role: the control process, Kamailio's, the media workers'."""
        return {
            "sori": [self.process.pid] if self.process.poll() is None else [],
            "kamailio": pgrep(f"kamailio.*{self.state}/"),
            "workers": pgrep(f"telephony.media.worker.*{self.state}/"),
        }


def pgrep(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return sorted(int(pid) for pid in found.stdout.split() if int(pid) != os.getpid())


def _run(argv: list[str], cwd: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(argv, cwd=cwd, env=dict(env), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


@contextmanager
def running_stack(workers: int, spare: int, env_extra: Mapping[str, str], always_open: tuple[str, ...] = ("NTS126",),
                  ready_timeout: float = 240.0, keep: bool = False) -> Iterator[Stack]:  # fmt: skip
    """``sori seed --demo``, ``sori centers import`` (the centers named open 24/7), ``sori up``; SIGTERM at the end.

    ``workers`` media workers run from the start; the pool may grow by ``spare`` more (their ports are free too).
    """
    root = Path(tempfile.mkdtemp(prefix="sori-bench-"))
    http, sip, base = free_port(), free_port(), free_run(workers + spare)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env.update(
        SORI_LOG__FILE=str(root / "sori.log"),
        SORI_TELEPHONY__WORKERS=str(workers),
        SORI_TELEPHONY__SPARE_WORKERS=str(spare),
        SORI_TELEPHONY__WORKER_PORT_BASE=str(base),
        SORI_TELEPHONY__PROMPT_RATE=str(PROMPT_RATE),
        SORI_TELEPHONY__PROMPTS_DIR=str(PROMPTS),
    )
    env.update(env_extra)
    state = root / "s"
    _run([SORI, "seed", "--demo", "--state-dir", str(state)], root, env)
    centers = root / "centers.csv"
    rows = CENTERS_FILE.read_text(encoding="utf-8").splitlines()
    centers.write_text("\n".join(r.replace("mon-fri 09:00-18:00", "24/7") if r.split(",")[0] in always_open else r
                                 for r in rows) + "\n", encoding="utf-8")  # fmt: skip
    _run([SORI, "centers", "import", str(centers), "--state-dir", str(state)], root, env)
    process = subprocess.Popen(
        [SORI, "up", "--port", str(http), "--sip-port", str(sip), "--state-dir", str(state)],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=(root / "sori.stderr").open("wb"),
    )  # fmt: skip
    stack = Stack(root, process, http, sip, base, workers, spare, env)
    try:
        deadline = time.monotonic() + ready_timeout
        ready = False
        while time.monotonic() < deadline and not ready:
            if process.poll() is not None:
                raise RuntimeError(f"sori up exited with {process.returncode}: see {stack.log}")
            text = stack.log.read_text(encoding="utf-8") if stack.log.exists() else ""
            ready = '"prompts ready"' in text and '"sori up"' in text
            time.sleep(0.5)
        if not ready:
            raise RuntimeError(f"sori up did not get ready in {ready_timeout:.0f} s: see {stack.log}")
        if requests.get(f"http://127.0.0.1:{http}/healthz", timeout=5).status_code != 200:
            raise RuntimeError("sori up: /healthz is not 200")
        # every worker said hello and the edge has it in its dispatcher list
        deadline = time.monotonic() + 60
        while len(stack.pids()["workers"]) < workers and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2.0)
        yield stack
    finally:
        stop(stack)
        if not keep:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


def stop(stack: Stack, timeout: float = 40.0) -> None:
    """SIGTERM to ``sori up``, then make sure nothing of this stack is left (its state dir is in every command line)."""
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGTERM)
        try:
            stack.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stack.process.kill()
            stack.process.wait()
    deadline = time.monotonic() + 10
    while pgrep(str(stack.root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = pgrep(str(stack.root))
    stack.left_behind = left
    for pid in left:  # processes of this run only: their command line names this run's state directory
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# -- /proc sampling --------------------------------------------------------------------------------


def proc_ticks(pid: int) -> int | None:
    """utime + stime of one process, in clock ticks; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def proc_rss(pid: int) -> int | None:
    """Resident set size in bytes; None when the process is gone."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system_, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system_ + irq + softirq + steal
    return busy, busy + idle + iowait


@dataclass
class Snapshot:
    at: float
    ticks: dict[str, dict[int, int]]  # role -> pid -> ticks
    rss: dict[str, dict[int, int]]  # role -> pid -> bytes
    machine_busy: int


def snapshot(roles: Mapping[str, list[int]]) -> Snapshot:
    ticks: dict[str, dict[int, int]] = {}
    rss: dict[str, dict[int, int]] = {}
    for role, pids in roles.items():
        ticks[role], rss[role] = {}, {}
        for pid in pids:
            t, r = proc_ticks(pid), proc_rss(pid)
            if t is not None and r is not None:
                ticks[role][pid], rss[role][pid] = t, r
    return Snapshot(time.monotonic(), ticks, rss, machine_busy_ticks()[0])


def cpu_between(first: Snapshot, last: Snapshot) -> dict[str, float]:
    """Average cores busy per role between two snapshots (processes present in both), plus the whole machine."""
    seconds = max(1e-6, last.at - first.at)
    cores: dict[str, float] = {}
    for role, pids in last.ticks.items():
        used = sum(t - first.ticks.get(role, {}).get(pid, t) for pid, t in pids.items())
        cores[role] = round(used / CLK_TCK / seconds, 3)
    machine = (last.machine_busy - first.machine_busy) / CLK_TCK / seconds
    cores["machine"] = round(machine, 3)
    cores["other"] = round(max(0.0, machine - sum(v for k, v in cores.items() if k != "machine")), 3)
    return cores


def rss_summary(snap: Snapshot) -> dict[str, dict[str, float]]:
    """RSS in MB per role: the sum over its processes and the largest one."""
    out: dict[str, dict[str, float]] = {}
    for role, by_pid in snap.rss.items():
        values = list(by_pid.values()) or [0]
        out[role] = {"total_mb": round(sum(values) / 2**20, 1), "max_mb": round(max(values) / 2**20, 1),
                     "processes": len(by_pid)}  # fmt: skip
    return out


def per_worker_cores(first: Snapshot, last: Snapshot) -> list[float]:
    seconds = max(1e-6, last.at - first.at)
    return sorted(
        round((t - first.ticks["workers"][pid]) / CLK_TCK / seconds, 3)
        for pid, t in last.ticks.get("workers", {}).items()
        if pid in first.ticks.get("workers", {})
    )


# -- SIPp ------------------------------------------------------------------------------------------


@dataclass
class SippRun:
    returncode: int
    seconds: float
    directory: Path
    scenario: Path
    pid: int
    stats: dict[str, str] = field(default_factory=dict)  # the last row of -trace_stat
    errors: str = ""

    def counter(self, name: str) -> int:
        value = self.stats.get(name, "0") or "0"
        return int(float(value))


def sipp_command(target: str, scenario: Path, directory: Path, *, source: str = "127.0.0.1",
                 extra: list[str]) -> list[str]:  # fmt: skip
    return [
        SIPP, target, "-sf", str(scenario), "-i", source, "-p", str(free_port()), "-mi", source,
        "-mp", str(free_run(4)), "-nostdin", "-trace_err", "-error_file", str(directory / f"{scenario.stem}.err"),
        "-trace_stat", "-stf", str(directory / f"{scenario.stem}.stat.csv"), "-fd", "1",
        *extra,
    ]  # fmt: skip


def start_sipp(command: list[str], directory: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL,
                            stderr=(directory / "sipp.stderr").open("ab"))  # fmt: skip


def finish_sipp(process: subprocess.Popen[bytes], started: float, scenario: Path, directory: Path,
                timeout: float) -> SippRun:  # fmt: skip
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)  # SIPp: stop placing calls, wait for the open ones
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
    seconds = time.monotonic() - started
    stats = read_stats(directory / f"{scenario.stem}.stat.csv")
    err = directory / f"{scenario.stem}.err"
    errors = err.read_text(errors="replace") if err.exists() else ""
    return SippRun(returncode, seconds, directory, scenario, process.pid, stats, errors)


def read_stats(path: Path) -> dict[str, str]:
    """The last row of SIPp's ``-trace_stat`` file (semicolon-separated, a header row first)."""
    if not path.exists():
        return {}
    rows = list(csv.reader(path.read_text(errors="replace").splitlines(), delimiter=";"))
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1], strict=False))


def read_stat_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    rows = list(csv.reader(path.read_text(errors="replace").splitlines(), delimiter=";"))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def read_rtt(directory: Path, scenario: Path, pid: int) -> dict[str, list[tuple[float, float]]]:
    """SIPp's ``-trace_rtt`` file: per timer name, (when in ms since the epoch, response time in ms)."""
    path = directory / f"{scenario.stem}_{pid}_rtt.csv"
    out: dict[str, list[tuple[float, float]]] = {}
    if not path.exists():
        return out
    for row in csv.reader(path.read_text(errors="replace").splitlines()[1:], delimiter=";"):
        if len(row) >= 3:
            out.setdefault(row[2].strip(), []).append((float(row[0]), float(row[1])))
    return out


# -- recordings ------------------------------------------------------------------------------------


def wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (OSError, wave.Error, EOFError):
        return None
