"""Telephony through the whole stack: the edge's stateless ceiling, sustained calls/s, concurrent calls with media.

    .venv/bin/python bench/telephony.py            # about 10 minutes: 60 s at 20 calls/s, then 50, 100, 120, 128 calls
    .venv/bin/python bench/telephony.py --quick    # about 1.5 minutes: 15 s at 20 calls/s, then 20 calls

The stack is started exactly as a user starts it: ``sori seed --demo``, ``sori centers import`` (NTS126
open around the clock, as the e2e tests do), ``sori up`` with its own state directory and free ports,
``--workers`` pjsua2 media workers (a fixed pool unless ``--spare-workers``) admitting ``edge.worker_call_cap``
= 4 callers each (these loads are IVR-only: the default of 2 keeps a slot per caller for an agent's leg), and
pike raised so that the load generator on 127.0.0.1 is not banned as a flood. SIPp drives it over loopback:

1. **edge ceiling** — OPTIONS to the edge itself, which Kamailio answers 200 statelessly after its pike,
   size, Max-Forwards and sanity checks: a closed loop of ``--options-users`` outstanding requests for
   ``--options-seconds`` from 127.0.0.2 (its own pike entry). SIPp shares the two cores with Kamailio,
   so this is a floor of the ceiling; the CPU of both is printed.
2. **sustained calls/s** — callers dial 126 (NTS126 국세상담센터) through the edge at ``--rate`` for
   ``--duration``: INVITE, 180, 200, ACK, caller RTP (an 8 kHz μ-law sweep) while the recording notice
   plays for ``--call-seconds``, BYE. Post-dial delay is SIPp's response-time timer (``rtd``, one value per
   call dumped by ``-trace_rtt``, whole milliseconds) from the INVITE to the first 180 or 200: the media
   worker rings at once. Answer delay, to the 200 OK, adds the control process: the caller's lookup in the
   store on the database pool and the Answer command back to the worker. Every call must leave a contact.
3. **concurrent calls with media** — ``--steps`` of N callers ramped at ``--ramp-rate`` calls/s, each
   streaming RTP and held for ``--hold`` seconds, long enough to hear the whole IVR with nobody pressing
   a key: recording notice, main menu and its two retries, the queue step's long-wait callback offer and
   its retries, then hold music in the queue. After each step: zero failed calls in SIPp, a contact per
   call, and its recording (from the end of the notice to hang-up) within ``--tolerance`` seconds of
   hold − notice, with the caller's audio in it (20-ms frames of silence counted). CPU (per process,
   from /proc) and RSS are sampled on the plateau. Steps stop at the first failure or when the
   machine's cores are all busy.

The last line is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the ``telephony`` package
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import array
import datetime as dt
import itertools
import json
import math
import re
import sqlite3
import statistics
import subprocess
import threading
import time
import wave
from typing import Any

from bench.common import Latency, emit_json, machine, revision, say, stop_on_sigterm
from bench.telephony_support import (
    PROMPT_RATE,
    PROMPTS,
    SIPP,
    Snapshot,
    Stack,
    cpu_between,
    finish_sipp,
    per_worker_cores,
    read_rtt,
    read_stat_rows,
    rss_summary,
    running_stack,
    sipp_command,
    snapshot,
    start_sipp,
    wav_seconds,
)
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.prompts import PromptLibrary
from telephony.sim import sipp as scenarios

CONCURRENT_TARGET = 100
RATE_TARGET = 20.0
PDD_P99_TARGET_MS = 200.0
CENTER, DIALLED = "NTS126", "126"
CALLER = "01099990000"  # not a demo citizen: no open case to offer, the plain IVR path
WORKER_CALL_CAP = 4  # pjsua2's limit per worker process; IVR-only callers need no agent leg
PIKE_REQUESTS = 65535  # Kamailio keeps pike's limit in 16 bits: anything larger wraps around
MAX_WORKERS = 32  # sori.config.TelephonyConfig.workers

OPTIONS_SCENARIO = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="OPTIONS to the edge">
<send retrans="500"><![CDATA[
OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]o[call_number]
To: <sip:[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 OPTIONS
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200"/>
</scenario>
"""


# -- scenarios -------------------------------------------------------------------------------------


def call_scenario(name: str, wav: Path, hold_ms: int) -> str:
    """A caller dialling 126, then RTP, hold, BYE; two SIPp timers from the INVITE.

    ``pdd`` stops at the first 180 or 200 (SIPp records a timer once per call), ``answer`` right after the 200.
    """
    invite = scenarios.invite(DIALLED, CALLER)
    ringing, answered = '<recv response="180" optional="true"/>', '<recv response="200" rtd="true" rrs="true"/>'
    if ringing not in invite or answered not in invite:
        raise RuntimeError("telephony.sim.sipp.invite changed: the post-dial timers cannot be placed")
    timed = invite.replace(ringing, '<recv response="180" optional="true" rtd="pdd"/>').replace(
        answered, '<recv response="200" rtd="pdd" rrs="true"/>\n<nop rtd="answer"/>'
    )
    return scenarios.scenario(name, timed, scenarios.stream(str(wav)), scenarios.pause(hold_ms), scenarios.BYE)


def caller_wav(directory: Path) -> Path:
    """Four seconds of a quiet 300-900 Hz sweep, 8 kHz μ-law: what SIPp's rtp_stream sends (looped)."""
    path = directory / "caller.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", "-b", "8", str(path),
                    "synth", "4", "sine", "300-900", "vol", "0.2"], check=True, capture_output=True)  # fmt: skip
    return path


def notice_seconds() -> float:
    """How long NTS126's recording notice plays (the cached prompt the stack uses)."""
    flow = load_flows(shipped_flows_dir()).for_center(CENTER)
    if flow.recording_notice is None:
        return 0.0
    seconds = wav_seconds(PromptLibrary(PROMPTS, rate=PROMPT_RATE).wav(flow.recording_notice))
    return seconds or 0.0


# -- sampling --------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """CPU ticks and RSS of the stack's processes and of the running SIPp, once a second, from /proc."""

    def __init__(self, stack: Stack, interval: float = 1.0) -> None:
        super().__init__(name="bench-sampler", daemon=True)
        self.stack = stack
        self.interval = interval
        self.samples: list[Snapshot] = []
        self.sipp: list[int] = []
        self._stop_event = threading.Event()
        self._roles = stack.pids()
        self._refreshed = time.monotonic()

    def run(self) -> None:
        while not self._stop_event.is_set():
            if time.monotonic() - self._refreshed > 5:
                self._roles, self._refreshed = self.stack.pids(), time.monotonic()
            self.samples.append(snapshot({**self._roles, "sipp": list(self.sipp)}))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    def window(self, start: float, end: float) -> dict[str, Any]:
        """Cores per role between the first and last samples in [start, end], and the largest RSS seen there."""
        inside = [s for s in list(self.samples) if start <= s.at <= end]
        if len(inside) < 2:
            return {"seconds": 0.0, "cores": {}, "rss_mb": {}, "worker_cores": {}, "worker_processes": {}}
        first, last = inside[0], inside[-1]
        rss: dict[str, dict[str, float]] = {}
        for snap in inside:
            for role, summary in rss_summary(snap).items():
                if role not in rss or summary["total_mb"] > rss[role]["total_mb"]:
                    rss[role] = summary
        workers = per_worker_cores(first, last)
        running = [len(snap.ticks.get("workers", {})) for snap in inside]
        return {
            "worker_processes": {"min": min(running), "max": max(running)},
            "seconds": round(last.at - first.at, 1),
            "cores": cpu_between(first, last),
            "rss_mb": rss,
            "worker_cores": {
                "max": max(workers, default=0.0),
                "median": statistics.median(workers) if workers else 0.0,
            },
        }


# -- phases ----------------------------------------------------------------------------------------


def _epoch(row: dict[str, str]) -> float:
    return float(row.get("CurrentTime", "0").split("\t")[-1] or 0)


def measure_edge(stack: Stack, work: Path, sampler: Sampler, args: argparse.Namespace) -> dict[str, Any]:
    scenario = work / "options.xml"
    scenario.write_text(OPTIONS_SCENARIO)
    log_before = _log_text(stack).count("BLOCKing ip 127.0.0.2")
    command = sipp_command(f"127.0.0.1:{stack.sip}", scenario, work, source="127.0.0.2", extra=[
        "-users", str(args.options_users), "-m", "1000000000", "-timeout", f"{args.options_seconds}s",
        "-recv_timeout", "2000",
    ])  # fmt: skip
    started = time.monotonic()
    process = start_sipp(command, work)
    sampler.sipp = [process.pid]
    run = finish_sipp(process, started, scenario, work, timeout=args.options_seconds + 30)
    sampler.sipp = []
    rows = read_stat_rows(work / f"{scenario.stem}.stat.csv")
    answered = run.counter("SuccessfulCall(C)")
    busy = [r for r in rows if int(r.get("SuccessfulCall(P)", "0") or 0) > 0]
    seconds = _epoch(busy[-1]) - _epoch(rows[0]) if busy and rows else run.seconds
    per_second = [
        int(b["SuccessfulCall(P)"]) / (_epoch(b) - _epoch(a))
        for a, b in itertools.pairwise(rows)
        if _epoch(b) - _epoch(a) > 0.5 and b in busy
    ]
    banned = _log_text(stack).count("BLOCKing ip 127.0.0.2") > log_before
    return {
        "answered": answered,
        "failed": run.counter("FailedCall(C)"),
        "retransmissions": run.counter("Retransmissions(C)"),
        "seconds": round(seconds, 2),
        "rps": round(answered / seconds, 0) if seconds > 0 else 0.0,
        "rps_per_second_median": round(statistics.median(per_second), 0) if per_second else 0.0,
        "outstanding": args.options_users,
        "source_banned_by_pike": banned,
        "cpu": sampler.window(started + 1.0, started + args.options_seconds - 0.5),
    }


def measure_sustained(
    stack: Stack, work: Path, wav: Path, sampler: Sampler, args: argparse.Namespace
) -> dict[str, Any]:
    scenario = work / "sustained.xml"
    scenario.write_text(call_scenario("sustained calls to 126", wav, int(args.call_seconds * 1000)))
    calls = round(args.rate * args.duration)
    limit = int(args.rate * (args.call_seconds + 10) * 2)
    command = sipp_command(f"127.0.0.1:{stack.sip}", scenario, work, extra=[
        "-r", f"{args.rate:g}", "-m", str(calls), "-l", str(limit), "-recv_timeout", "10000",
        "-trace_rtt", "-rtt_freq", "1", "-timeout", f"{int(args.duration + args.call_seconds + 60)}s", "-timeout_error",
    ])  # fmt: skip
    started = time.monotonic()
    process = start_sipp(command, work)
    sampler.sipp = [process.pid]
    run = finish_sipp(process, started, scenario, work, timeout=args.duration + args.call_seconds + 90)
    sampler.sipp = []
    timers = read_rtt(work, scenario, run.pid)
    answers = timers.get("answer", [])
    span = (max(t for t, _ in answers) - min(t for t, _ in answers)) / 1000 if len(answers) > 1 else 0.0
    rows = read_stat_rows(work / f"{scenario.stem}.stat.csv")
    created = [int(r.get("OutgoingCall(P)", "0") or 0) for r in rows[2:-1] if int(r.get("OutgoingCall(P)", "0") or 0)]
    successful = run.counter("SuccessfulCall(C)")
    contacts = wait_for_contacts(stack, run.pid, successful, timeout=30)
    return {
        "attempted": run.counter("TotalCallCreated") or run.counter("OutgoingCall(C)"),
        "successful": successful,
        "failed": run.counter("FailedCall(C)"),
        "retransmissions": run.counter("Retransmissions(C)"),
        "sipp_returncode": run.returncode,
        "target_rate": args.rate,
        "achieved_rate": round((len(answers) - 1) / span, 2) if span > 0 else 0.0,
        "per_second_created_min": min(created[:-1], default=0),
        "pdd_ms": _latency(timers.get("pdd", [])),
        "answer_ms": _latency(answers),
        "contacts_written": len(contacts),
        "max_open_calls": max((int(r.get("CurrentCall", "0") or 0) for r in rows), default=0),
        "cpu": sampler.window(started + 3.0, started + args.duration),
        "errors": run.errors[-2000:],
    }


def measure_step(stack: Stack, work: Path, wav: Path, sampler: Sampler, args: argparse.Namespace, calls: int,
                 notice: float) -> dict[str, Any]:  # fmt: skip
    scenario = work / f"concurrent-{calls}.xml"
    scenario.write_text(call_scenario(f"{calls} concurrent calls to 126", wav, int(args.hold * 1000)))
    ramp = calls / args.ramp_rate
    command = sipp_command(f"127.0.0.1:{stack.sip}", scenario, work, extra=[
        "-r", f"{args.ramp_rate:g}", "-m", str(calls), "-l", str(calls), "-recv_timeout", "10000",
        "-trace_rtt", "-rtt_freq", "1", "-timeout", f"{int(args.hold + ramp + 60)}s", "-timeout_error",
    ])  # fmt: skip
    lost_before = _workers_lost(stack)
    started = time.monotonic()
    process = start_sipp(command, work)
    sampler.sipp = [process.pid]
    run = finish_sipp(process, started, scenario, work, timeout=args.hold + ramp + 90)
    sampler.sipp = []
    rows = read_stat_rows(work / f"{scenario.stem}.stat.csv")
    timers = read_rtt(work, scenario, run.pid)
    successful = run.counter("SuccessfulCall(C)")
    contacts = wait_for_contacts(stack, run.pid, calls, timeout=30)
    recordings = check_recordings(stack, contacts, args.hold - notice, args.tolerance)
    plateau = sampler.window(started + ramp + 2.0, started + args.hold - 0.5)
    pool = sampler.window(started, time.monotonic())["worker_processes"]
    queued = [c["queued_after_s"] for c in contacts if c["queued_after_s"] is not None]
    return {
        "calls": calls,
        "successful": successful,
        "failed": run.counter("FailedCall(C)"),
        "retransmissions": run.counter("Retransmissions(C)"),
        "sipp_returncode": run.returncode,
        "max_open_calls": max((int(r.get("CurrentCall", "0") or 0) for r in rows), default=0),
        "pdd_ms": _latency(timers.get("pdd", [])),
        "answer_ms": _latency(timers.get("answer", [])),
        "contacts_written": len(contacts),
        "reached_queue": len(queued),
        "queued_after_s_median": round(statistics.median(queued), 1) if queued else None,
        "dispositions": _count(c["disposition"] for c in contacts),
        "recordings": recordings,
        "plateau": plateau,
        "workers_lost": _workers_lost(stack) - lost_before,
        "worker_processes": pool,
        "errors": run.errors[-2000:],
    }


# -- checks against the store ----------------------------------------------------------------------


def wait_for_contacts(stack: Stack, sipp_pid: int, expected: int, timeout: float) -> list[dict[str, Any]]:
    """The interactions the switchboard wrote for one SIPp run's calls (their Call-IDs end in -<pid>@127.0.0.1)."""
    deadline = time.monotonic() + timeout
    rows: list[tuple[Any, ...]] = []
    while True:
        with sqlite3.connect(stack.db, timeout=10) as conn:
            rows = conn.execute(
                "SELECT sip_call_id, disposition, started_at, queued_at, ended_at, recording_ref FROM interactions "
                "WHERE sip_call_id LIKE ?", (f"%-{sipp_pid}@127.0.0.1",),
            ).fetchall()  # fmt: skip
        if len(rows) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    out = []
    for call_id, disposition, started_at, queued_at, ended_at, recording_ref in rows:
        started = _when(started_at)
        queued = _when(queued_at)
        out.append({
            "call_id": call_id, "disposition": disposition, "recording_ref": recording_ref,
            "queued_after_s": (queued - started).total_seconds() if queued and started else None,
            "seconds": (ended - started).total_seconds() if (ended := _when(ended_at)) and started else None,
        })  # fmt: skip
    return out


def check_recordings(stack: Stack, contacts: list[dict[str, Any]], expected: float, tolerance: float) -> dict[str, Any]:
    """Every contact's recording: present, within ``tolerance`` of ``expected`` seconds, with the caller's audio."""
    checked = full = missing = 0
    lengths: list[float] = []
    silent_shares: list[float] = []
    for contact in contacts:
        checked += 1
        ref = contact["recording_ref"]
        path = stack.recordings / ref if ref else None
        seconds = wav_seconds(path) if path is not None else None
        if path is None or seconds is None:
            missing += 1
            continue
        lengths.append(seconds)
        if abs(seconds - expected) <= tolerance:
            full += 1
        silent_shares.append(silent_share(path))
    return {
        "checked": checked,
        "missing": missing,
        "full_length": full,
        "expected_s": round(expected, 2),
        "tolerance_s": tolerance,
        "length_s": _spread(lengths),
        "silent_frames_share": {
            "mean": round(statistics.mean(silent_shares), 4) if silent_shares else None,
            "max": round(max(silent_shares), 4) if silent_shares else None,
            "recordings_over_1pct": sum(1 for s in silent_shares if s > 0.01),
        },
    }


def silent_share(path: Path, frame_ms: int = 20, threshold: int = 200) -> float:
    """Share of 20-ms frames with (almost) no signal, edges trimmed: the caller streams a sweep throughout,
    so silence in the recording is audio that did not arrive or was not mixed in time."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            return math.nan
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    samples = array.array("h", data)
    step = rate * frame_ms // 1000
    start, end = rate // 2, len(samples) - rate // 2
    frames = silent = 0
    for offset in range(start, end - step, step):
        frame = samples[offset : offset + step]
        frames += 1
        if max(frame) - min(frame) < threshold:
            silent += 1
    return silent / frames if frames else 0.0


# -- helpers ---------------------------------------------------------------------------------------


def _latency(points: list[tuple[float, float]]) -> dict[str, float]:
    return Latency.of([ms / 1000 for _, ms in points]).as_dict()


def _spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(value)) if value else None


def _log_text(stack: Stack) -> str:
    return stack.log.read_text(encoding="utf-8", errors="replace") if stack.log.exists() else ""


def _workers_lost(stack: Stack) -> int:
    """Media workers the pool reported lost (died or stopped answering), from the stack's log."""
    return len(re.findall(r"media worker \S+ lost \(", _log_text(stack)))


def _log_errors(stack: Stack) -> dict[str, int]:
    """Error lines of the stack's JSON log, counted by message (numbers stripped)."""
    counts: dict[str, int] = {}
    for line in _log_text(stack).splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        message = str(entry.get("msg", ""))
        if entry.get("level") in ("error", "critical") or " ERROR: " in message or " CRITICAL: " in message:
            key = re.sub(r"\d+", "N", message)[:160]
            counts[key] = counts.get(key, 0) + 1
    return counts


def software() -> str:
    kamailio = subprocess.run(["kamailio", "-v"], capture_output=True, text=True).stdout
    sipp = subprocess.run([SIPP, "-v"], capture_output=True, text=True).stdout
    pj = subprocess.run(
        [sys.executable, "-c", "import pjsua2 as p; e=p.Endpoint(); e.libCreate(); print('V=' + e.libVersion().full)"],
        capture_output=True, text=True,
    )  # fmt: skip
    k = re.search(r"kamailio (\S+)", kamailio)
    s = re.search(r"SIPp (v\S+?)(?:-|\s|$)", sipp)
    p = re.search(r"V=(\S+)", pj.stdout)
    return (f"Kamailio {k.group(1) if k else '?'}, SIPp {s.group(1) if s else '?'}, "
            f"pjsua2 {p.group(1) if p else '?'}, Python {sys.version.split()[0]}")  # fmt: skip


def _cores_text(cpu: dict[str, Any]) -> str:
    c = cpu.get("cores", {})
    parts = [f"{role} {c.get(role, 0):.2f}" for role in ("sori", "kamailio", "workers", "sipp", "other")]
    return f"cores busy: {', '.join(parts)}; machine {c.get('machine', 0):.2f}"


def _rss_text(cpu: dict[str, Any]) -> str:
    r = cpu.get("rss_mb", {})
    parts = []
    for role in ("sori", "kamailio", "workers"):
        if role in r:
            parts.append(
                f"{role} {r[role]['total_mb']:.0f} MB ({r[role]['processes']} proc, max {r[role]['max_mb']:.0f})"
            )
    return "RSS: " + ", ".join(parts)


def _ms(lat: dict[str, float]) -> str:
    return f"p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms (n={lat['n']})"


# -- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/telephony.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="15 s of calls/s, one step of 20 calls held 30 s")
    parser.add_argument("--options-seconds", type=float, default=10.0)
    parser.add_argument("--options-users", type=int, default=32, help="OPTIONS outstanding at once (closed loop)")
    parser.add_argument("--rate", type=float, default=RATE_TARGET, help="new calls per second")
    parser.add_argument("--duration", type=float, help="seconds of new calls (default 60, --quick 15)")
    parser.add_argument("--call-seconds", type=float, default=2.0, help="how long each sustained-rate call stays")
    parser.add_argument("--steps", help="concurrent calls per step (default 50,100,120,128; --quick 20)")
    parser.add_argument("--hold", type=float, help="seconds each concurrent call stays (default 110, --quick 30)")
    parser.add_argument("--ramp-rate", type=float, default=10.0, help="calls/s while ramping up a step")
    parser.add_argument("--tolerance", type=float, default=2.0, help="recording length tolerance, seconds")
    parser.add_argument(
        "--workers", type=int, help=f"media workers (default: enough for the largest step, ≤ {MAX_WORKERS})"
    )
    parser.add_argument(
        "--spare-workers",
        type=int,
        default=0,
        help="workers the pool may add under load (telephony.spare_workers; default 0: a fixed pool)",
    )
    parser.add_argument("--skip", default="", help="comma-separated phases to skip: edge, sustained, concurrent")
    parser.add_argument("--keep-state", action="store_true", help="keep the state directory (to debug)")
    args = parser.parse_args(argv)
    args.duration = args.duration or (15.0 if args.quick else 60.0)
    args.hold = args.hold or (30.0 if args.quick else 110.0)
    args.steps = [int(s) for s in (args.steps or ("20" if args.quick else "50,100,120,128")).split(",") if s]
    needed = max([*args.steps, math.ceil(args.rate * (args.call_seconds + 3))])
    args.workers = args.workers or min(MAX_WORKERS, math.ceil(needed / WORKER_CALL_CAP))
    args.skip = {s for s in args.skip.split(",") if s}
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine()
    params = {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()}
    _print_header(args, info, params)
    env = {
        "SORI_EDGE__WORKER_CALL_CAP": str(WORKER_CALL_CAP),
        "SORI_EDGE__PIKE__REQUESTS": str(PIKE_REQUESTS),
    }
    results: dict[str, Any] = {}
    steps: list[dict[str, Any]] = []
    with stop_on_sigterm():
        t_start = time.monotonic()
        with running_stack(args.workers, args.spare_workers, env, keep=args.keep_state) as stack:
            last = stack.worker_base + args.workers + args.spare_workers - 1
            say(f"           ready in {time.monotonic() - t_start:.0f} s: SIP 127.0.0.1:{stack.sip}, "
                f"HTTP {stack.http}, workers on {stack.worker_base}-{last}, state {stack.root}")  # fmt: skip
            sampler = Sampler(stack)
            sampler.start()
            try:
                run_phases(stack, sampler, args, info.cores, results, steps)
            finally:
                sampler.stop()
            results["log_errors"] = _log_errors(stack)
        left = ",".join(str(pid) for pid in stack.left_behind)
    say(f"\nstopped    sori up with SIGTERM; processes left behind: {left or 'none'}")
    worst = sorted(results["log_errors"].items(), key=lambda item: -item[1])[:8]
    if worst:
        say("log errors " + "; ".join(f"{n}× {m}" for m, n in worst))
    payload = summary(args, results, steps, left)
    say(_verdict(payload, args, steps))
    emit_json({
        "benchmark": "telephony", "revision": revision(), "machine": vars(info), "params": params, **payload,
        "edge": results.get("edge"), "sustained": results.get("sustained"), "concurrent_steps": steps,
        "idle": results.get("idle"), "log_errors": results["log_errors"],
    })  # fmt: skip
    return 0


def run_phases(stack: Stack, sampler: Sampler, args: argparse.Namespace, cores: int, results: dict[str, Any],
               steps: list[dict[str, Any]]) -> None:  # fmt: skip
    work = stack.root / "bench"
    work.mkdir()
    wav = caller_wav(work)
    notice = notice_seconds()
    idle_from = time.monotonic()
    time.sleep(3.0)
    results["idle"] = sampler.window(idle_from, time.monotonic())
    say(f"\nidle stack  {_cores_text(results['idle'])}")
    say(f"            {_rss_text(results['idle'])}")
    if "edge" not in args.skip:
        results["edge"] = edge = measure_edge(stack, work, sampler, args)
        say(f"\n1. edge stateless ceiling: OPTIONS answered 200 by Kamailio, {args.options_users} outstanding, "
            "from 127.0.0.2")  # fmt: skip
        say(f"   {edge['rps']:,.0f} answered/s over {edge['seconds']:.1f} s (per-second median "
            f"{edge['rps_per_second_median']:,.0f}); {edge['answered']:,} answered, {edge['failed']} failed, "
            f"{edge['retransmissions']} retransmitted"
            + ("; WARNING: pike banned the source" if edge["source_banned_by_pike"] else ""))  # fmt: skip
        say(f"   {_cores_text(edge['cpu'])}")
    if "sustained" not in args.skip:
        time.sleep(2.0)
        results["sustained"] = s = measure_sustained(stack, work, wav, sampler, args)
        say(f"\n2. sustained calls to 126 through the edge into the IVR: {args.rate:g}/s for {args.duration:g} s, "
            f"{args.call_seconds:g} s each (RTP both ways, recording notice playing)")  # fmt: skip
        say(f"   attempted {s['attempted']}, successful {s['successful']}, failed {s['failed']} "
            f"(retransmissions {s['retransmissions']}); achieved {s['achieved_rate']:.2f} answered calls/s; "
            f"slowest second {s['per_second_created_min']} new calls; at most {s['max_open_calls']} open")  # fmt: skip
        say(f"   post-dial delay (INVITE → first 180/200): {_ms(s['pdd_ms'])}")
        say(f"   answer delay    (INVITE → 200 OK):        {_ms(s['answer_ms'])}")
        say(f"   contacts written: {s['contacts_written']} of {s['successful']}")
        say(f"   {_cores_text(s['cpu'])}")
        if s["errors"]:
            say(f"   SIPp errors (tail): {s['errors'][-400:]!r}")
    if "concurrent" not in args.skip:
        say(f"\n3. concurrent calls with media: ramp at {args.ramp_rate:g} calls/s, each held {args.hold:g} s "
            f"(notice {notice:.2f} s: recordings {args.hold - notice:.1f} ± {args.tolerance:g} s)")  # fmt: skip
        for calls in args.steps:
            time.sleep(3.0)
            step = measure_step(stack, work, wav, sampler, args, calls, notice)
            steps.append(step)
            _print_step(step)
            reason = _stop_reason(step, cores)
            if reason:
                say(f"   stop: {reason}")
                step["stopped"] = reason
                break


def _print_header(args: argparse.Namespace, info: Any, params: dict[str, Any]) -> None:
    busy = info.busy_cores_at_start
    say("== telephony through the whole stack ==")
    say(f"machine    {info.cpu}, {info.cores} cores, {info.memory_gb:.0f} GB RAM, {info.os}")
    say(f"software   {software()}")
    say(f"code       {revision()}")
    say("parameters " + ", ".join(f"{k}={v}" for k, v in params.items()))
    say(f"load       {busy:.2f} cores busy at start (1-s sample)"
        + ("  WARNING: other work is running; figures will be pessimistic" if busy > 0.3 else ""))  # fmt: skip
    capacity = (args.workers + args.spare_workers) * WORKER_CALL_CAP
    say(f"stack      sori up with {args.workers} media workers (telephony.spare_workers={args.spare_workers}: "
        f"{'a fixed pool' if not args.spare_workers else 'it may grow'}), edge.worker_call_cap={WORKER_CALL_CAP} "
        f"(SORI_EDGE__WORKER_CALL_CAP; these loads are IVR-only, the default 2 keeps a slot per caller for an "
        f"agent's leg): {capacity} callers at most")  # fmt: skip
    say(f"           edge.pike.requests={PIKE_REQUESTS} per 2 s (SORI_EDGE__PIKE__REQUESTS; the default 30 bans the "
        "load generator on 127.0.0.1 as a flood within a second)")  # fmt: skip
    if max(args.steps) > capacity:
        say(f"           NOTE: steps above {capacity} calls cannot be admitted by this configuration")


def _print_step(step: dict[str, Any]) -> None:
    rec = step["recordings"]
    plateau = step["plateau"]
    say(
        f"   {step['calls']:4d} calls: {step['successful']} successful, {step['failed']} failed, "
        f"at most {step['max_open_calls']} open; PDD {_ms(step['pdd_ms'])}"
    )
    say(
        f"        contacts {step['contacts_written']}, reached the queue (hold music) {step['reached_queue']}"
        + (f" ({step['queued_after_s_median']} s after the answer, median)" if step["reached_queue"] else "")
        + f"; dispositions {step['dispositions']}"
    )
    say(
        f"        recordings: {rec['full_length']} of {rec['checked']} full length, {rec['missing']} missing; "
        f"length {rec['length_s']}; silent 20-ms frames mean {rec['silent_frames_share']['mean']}, "
        f"max {rec['silent_frames_share']['max']}"
    )
    worker_max = plateau["worker_cores"].get("max")
    say(f"        plateau {plateau['seconds']} s: {_cores_text(plateau)}; busiest worker {worker_max}")
    pool = step["worker_processes"]
    if pool and pool.get("min") != pool.get("max"):
        say(f"        media workers running during the step: {pool['min']} to {pool['max']}")
    say(f"        {_rss_text(plateau)}")
    if step["workers_lost"]:
        say(f"        MEDIA WORKERS LOST: {step['workers_lost']}")
    if step["errors"]:
        say(f"        SIPp errors (tail): {step['errors'][-400:]!r}")


def _step_passed(step: dict[str, Any]) -> bool:
    rec = step["recordings"]
    return (step["failed"] == 0 and step["successful"] == step["calls"] and step["contacts_written"] == step["calls"]
            and rec["full_length"] == step["calls"] and not step["workers_lost"])  # fmt: skip


def _stop_reason(step: dict[str, Any], cores: int) -> str | None:
    if not _step_passed(step):
        rec = step["recordings"]
        return (f"step of {step['calls']} failed: {step['failed']} failed calls, {step['contacts_written']} contacts, "
                f"{rec['full_length']} full-length recordings ({rec['missing']} missing)")  # fmt: skip
    machine_cores = step["plateau"].get("cores", {}).get("machine", 0.0)
    if machine_cores >= 0.95 * cores:
        return f"CPU limit: {machine_cores:.2f} of {cores} cores busy on the plateau"
    return None


def summary(
    args: argparse.Namespace, results: dict[str, Any], steps: list[dict[str, Any]], left: str
) -> dict[str, Any]:
    edge = results.get("edge") or {}
    s = results.get("sustained") or {}
    passed = [step for step in steps if _step_passed(step)]
    best = max(passed, key=lambda step: step["calls"]) if passed else None
    plateau = (best or (steps[-1] if steps else {})).get("plateau", {})
    return {
        "kamailio_stateless_rps": edge.get("rps"),
        "calls_per_second": s.get("achieved_rate"),
        "calls_attempted": s.get("attempted"),
        "calls_failed": s.get("failed"),
        "pdd_ms_p50": (s.get("pdd_ms") or {}).get("p50_ms"),
        "pdd_ms_p99": (s.get("pdd_ms") or {}).get("p99_ms"),
        "answer_ms_p50": (s.get("answer_ms") or {}).get("p50_ms"),
        "answer_ms_p99": (s.get("answer_ms") or {}).get("p99_ms"),
        "max_concurrent_with_media": best["calls"] if best else 0,
        "concurrent_failed": sum(step["failed"] for step in steps),
        "recordings_checked": sum(step["recordings"]["checked"] for step in steps),
        "recordings_full_length": sum(step["recordings"]["full_length"] for step in steps),
        "cpu_cores": {
            "sustained": (s.get("cpu") or {}).get("cores"),
            "concurrent_plateau": plateau.get("cores"),
            "edge_options": (edge.get("cpu") or {}).get("cores"),
        },
        "rss_mb": {"idle": (results.get("idle") or {}).get("rss_mb"), "concurrent_plateau": plateau.get("rss_mb")},
        "workers": args.workers,
        "spare_workers": args.spare_workers,
        "worker_call_cap": WORKER_CALL_CAP,
        "pike_requests": PIKE_REQUESTS,
        "left_behind": left,
        "targets": {
            "concurrent_with_media": CONCURRENT_TARGET,
            "calls_per_second": RATE_TARGET,
            "pdd_ms_p99": PDD_P99_TARGET_MS,
        },
    }


def _verdict(p: dict[str, Any], args: argparse.Namespace, steps: list[dict[str, Any]]) -> str:
    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = ["\nsummary"]
    if p["kamailio_stateless_rps"] is not None:
        lines.append(f"  edge stateless ceiling      {p['kamailio_stateless_rps']:,.0f} OPTIONS/s (same run)")
    if p["calls_per_second"] is not None:
        ok = p["calls_failed"] == 0 and p["calls_per_second"] >= RATE_TARGET * 0.98
        full = args.duration >= 60
        lines.append(
            f"  sustained calls/s           {p['calls_per_second']:.2f} for {args.duration:g} s "
            f"({p['calls_attempted']} attempted, {p['calls_failed']} failed)   "
            f"target {RATE_TARGET:g}/s for 60 s, 0 failed — "
            + (mark(ok) if full else f"{'passed' if ok else 'MISSED'} over {args.duration:g} s only")
        )
        lines.append(
            f"  post-dial delay p50 / p99   {p['pdd_ms_p50']:.1f} / {p['pdd_ms_p99']:.1f} ms   "
            f"target p99 < {PDD_P99_TARGET_MS:g} ms — {mark(p['pdd_ms_p99'] < PDD_P99_TARGET_MS)}"
        )
        lines.append(f"  answer delay p50 / p99      {p['answer_ms_p50']:.1f} / {p['answer_ms_p99']:.1f} ms")
    if steps:
        best = p["max_concurrent_with_media"]
        tried = max(step["calls"] for step in steps)
        if best >= CONCURRENT_TARGET:
            verdict = "met"
        elif best == tried:
            verdict = f"not tried (largest step {tried})"
        else:
            verdict = "MISSED"
        pool = args.workers + args.spare_workers
        capacity = pool * WORKER_CALL_CAP
        ceiling = f"; {capacity} is this configuration's ceiling ({pool} workers × {WORKER_CALL_CAP})"
        lines.append(
            f"  concurrent calls with media {best} ({p['concurrent_failed']} failed; {p['recordings_full_length']} of "
            f"{p['recordings_checked']} recordings full length)   target {CONCURRENT_TARGET} — {verdict}"
            + (ceiling if best == capacity else "")
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
