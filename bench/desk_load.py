"""The desk under a burst of agents' requests: latency of hold, transfer and state, and of the health check and
the screen-pop while the burst runs, against the same requests one at a time.

    .venv/bin/python -m bench.desk_load                 # about 1 minute
    .venv/bin/python -m bench.desk_load --rounds 3      # shorter

The desk runs as in ``tests/integration/telephony_calls/test_desk_load.py`` (``tests.support.desk_rig``): the
real service tree of ``sori up`` on SQLite with ``--db-threads`` database threads, the switchboard and the desk
on that pool, one pjsua2 media worker, two SIPp callers who ask for an agent, and an answering pjsua2 phone for
the agents ``kim`` and ``lee``. Once both talk to a caller:

1. **baseline** — the same desk requests one at a time, and ``/healthz`` and the screen-pop
   (``GET /api/v1/citizens?phone=``) idle;
2. **burst** — ``--rounds`` rounds of ``--requests`` parallel requests (hold on and off, state changes), with
   ``/healthz`` and the screen-pop probed in a loop meanwhile; the last round also has blind transfers (one per
   call wins, the others get 409 ``transfer-in-progress``).

It prints medians and p95 (nearest rank) in milliseconds and the burst/baseline ratio of medians, measured in
the same process. The agents' phone stops after 120 s, which bounds the run. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from bench.common import emit_json, header, machine, say
from tests.support import reactor as rt
from tests.support.desk_rig import SCREEN_POP_PHONE, DeskRig, desk_requests, running_desk, wait_until


def summary(seconds: Sequence[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0, "p50_ms": math.nan, "p95_ms": math.nan, "max_ms": math.nan}

    def rank(q: float) -> float:
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000, 2)

    return {"n": len(ordered), "p50_ms": rank(0.5), "p95_ms": rank(0.95), "max_ms": round(ordered[-1] * 1000, 2)}


def line(name: str, figures: dict[str, float]) -> str:
    return (f"{name:<28} p50 {figures['p50_ms']:8.1f} ms   p95 {figures['p95_ms']:8.1f} ms   "
            f"max {figures['max_ms']:8.1f} ms   (n={figures['n']:.0f})")  # fmt: skip


def timed(rig: DeskRig, login: str | None, method: str, path: str, body: Any = None) -> tuple[int, float, str]:
    started = time.perf_counter()
    headers = rig.headers(login) if login else {}
    reply = requests.request(method, rig.base + path, json=body, headers=headers, timeout=60)
    error = reply.json().get("error", "") if reply.status_code >= 400 and reply.content else ""
    return reply.status_code, time.perf_counter() - started, error


PROBES = (("healthz", None, "/healthz"), ("screen-pop", "kim", f"/api/v1/citizens?phone={SCREEN_POP_PHONE}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="bursts of parallel requests (the last has transfers)")
    parser.add_argument("--requests", type=int, default=50, help="parallel desk requests per burst")
    parser.add_argument("--db-threads", type=int, default=8, help="the API's database threads (default as shipped)")
    args = parser.parse_args(argv)
    header("desk under a burst of agents' requests", machine(), vars(args))
    with tempfile.TemporaryDirectory(prefix="sori-bdesk-") as name:
        workdir = Path(name)
        wav = workdir / "agent440.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth", "30", "sine", "440",
                        "vol", "0.5"], check=True)  # fmt: skip
        rt.ensure_running()
        with running_desk(workdir, wav, db_threads=args.db_threads) as rig:
            for login in ("kim", "lee", "park"):
                rig.request(login, "PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"})
            rig.call_agent("01077770001")
            rig.call_agent("01077770002")
            wait_until(lambda: rig.on_call("kim") and rig.on_call("lee"), 60, "both agents talking to a caller")
            say("two callers are talking to kim and lee; measuring")
            payload = measure(rig, args.rounds, args.requests)
    rt.stop()
    emit_json(payload)
    return 0


def measure(rig: DeskRig, rounds: int, count: int) -> dict[str, Any]:
    base_desk = [timed(rig, *r)[1] for r in desk_requests(count, transfers=False)]
    base_probe = {n: [timed(rig, login, "GET", path)[1] for _ in range(20)] for n, login, path in PROBES}
    burst: list[float] = []
    probes: dict[str, list[float]] = {n: [] for n, _, _ in PROBES}
    statuses: Counter[str] = Counter()
    wall: list[float] = []
    with ThreadPoolExecutor(max_workers=count) as executor:
        for index in range(rounds):
            planned = desk_requests(count, transfers=index == rounds - 1)
            started = time.perf_counter()
            futures = [executor.submit(timed, rig, *r) for r in planned]
            while not all(f.done() for f in futures):
                for n, login, path in PROBES:
                    probes[n].append(timed(rig, login, "GET", path)[1])
            for future in futures:
                status, seconds, error = future.result()
                burst.append(seconds)
                statuses[f"{status} {error}".strip()] += 1
            wall.append(time.perf_counter() - started)
    figures = {
        "desk_one_at_a_time": summary(base_desk),
        "desk_in_burst": summary(burst),
        **{f"{n}_idle": summary(base_probe[n]) for n, _, _ in PROBES},
        **{f"{n}_during_burst": summary(probes[n]) for n, _, _ in PROBES},
    }
    say("")
    for key, value in figures.items():
        say(line(key, value))
    ratios = {
        "desk": round(figures["desk_in_burst"]["p50_ms"] / figures["desk_one_at_a_time"]["p50_ms"], 2),
        **{n: round(figures[f"{n}_during_burst"]["p50_ms"] / figures[f"{n}_idle"]["p50_ms"], 2) for n, _, _ in PROBES},
    }
    say("burst/baseline median ratios: " + ", ".join(f"{k} {v}x" for k, v in ratios.items()))
    say(f"burst wall time per round: {', '.join(f'{w:.2f} s' for w in wall)}")
    say("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    return {"figures": figures, "ratios": ratios, "round_wall_s": [round(w, 3) for w in wall], "answers": statuses}


if __name__ == "__main__":
    raise SystemExit(main())
