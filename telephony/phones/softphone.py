"""Agents' SIP phones in one pjsua2 process: register at the edge, answer, play a WAV, record, hang up.

Run as::

    python -m telephony.phones.softphone --edge HOST:PORT --port LOCALPORT --wav FILE [--record-dir DIR] \
        [--agents-file FILE] [--replies FILE...]

With ``--replies`` the agents take turns with the caller (``telephony.phones.turns``): each reply is played
once, when the caller has finished an utterance; otherwise ``--wav`` plays in a loop from the answer.

The agents (see :mod:`telephony.phones.protocol`, at most 4) come from ``--agents-file`` or stdin's first
line; later stdin lines are commands. Every event is one JSON object on stdout. Each agent takes one call
at a time (a second INVITE gets 486): the process stays within pjsua2-python's 4 calls and 8 accounts.
``--port 0`` binds a free port (the ``ready`` event tells which). SIGTERM, ``quit`` or stdin closing (the
parent went away) end the process cleanly: calls hung up, accounts unregistered, ``libDestroy``.

The phones themselves are in :mod:`telephony.phones.engine`; this module is the process around them:
arguments, the agents list, stdin commands without blocking, and a stdout that carries events only.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from telephony.phones.engine import Softphone
from telephony.phones.protocol import BadAgents, parse_agents


class Events:
    """One JSON object per line on ``out``; safe from any thread; a closed pipe only stops the output."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._lock = threading.Lock()
        self.closed = False

    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, ensure_ascii=False)
        with self._lock:
            if self.closed:
                return
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except (BrokenPipeError, ValueError):
                self.closed = True


class StdinLines:
    """Lines from fd 0 without blocking the SIP loop (no ``sys.stdin`` buffering, so ``select`` stays true)."""

    def __init__(self, fd: int = 0) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    def _fill(self, timeout: float | None) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            data = os.read(self.fd, 65536)
            self.buffer += data
            self.eof = not data

    def first_line(self) -> str | None:
        while b"\n" not in self.buffer and not self.eof:
            self._fill(None)
        return self._take() if self.buffer else None

    def poll(self) -> list[str]:
        if not self.eof:
            self._fill(0)
        lines = []
        while b"\n" in self.buffer or (self.eof and self.buffer):
            lines.append(self._take())
        return lines

    def _take(self) -> str:
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace").strip()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m telephony.phones.softphone", description=__doc__.split("\n")[0])
    parser.add_argument("--edge", required=True, help="the SIP edge (registrar) as HOST:PORT")
    parser.add_argument("--port", type=int, default=0, help="local SIP port (UDP); 0 picks a free one")
    parser.add_argument("--bind", default="127.0.0.1", help="local address for SIP and RTP")
    parser.add_argument("--wav", type=Path, required=True, help="what the agents say: played in a loop")
    parser.add_argument("--replies", type=Path, nargs="+", default=[],
                        help="instead of --wav: answer each caller utterance with the next of these WAVs, in turn")
    parser.add_argument("--record-dir", type=Path, help="record what each agent hears to DIR/<login>-<n>.wav")
    parser.add_argument("--agents-file", type=Path, help="the agents as JSON (default: stdin's first line)")
    parser.add_argument("--register-gap", type=float, default=0.25, help="seconds between the agents' first REGISTERs")
    parser.add_argument("--log-level", type=int, default=1, help="pjsua2 log level on stderr (0-6)")
    return parser.parse_args(argv)


def event_stream() -> TextIO:
    """A private copy of stdout for the events; fd 1 then points at stderr.

    pjlib prints to fd 1 before its log writer is installed (and SWIG may print at exit): this keeps
    the event stream pure JSON lines whatever the C code writes.
    """
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # what the agents hear is recorded: owner-only files
    args = arguments(argv)
    events = Events(event_stream())
    stdin = StdinLines()
    try:
        if ":" not in args.edge:
            raise BadAgents(f"--edge must be HOST:PORT, got {args.edge!r}")
        for wav in (args.wav, *args.replies):
            if not wav.is_file():
                raise BadAgents(f"no such WAV file: {wav}")
        text = args.agents_file.read_text() if args.agents_file else stdin.first_line()
        if not text:
            raise BadAgents("no agents: give --agents-file or a JSON list on stdin's first line")
        agents = parse_agents(text)
    except (BadAgents, OSError) as error:
        events.emit("error", reason=str(error), fatal=True)
        print(f"softphone: {error}", file=sys.stderr)
        return 2
    phone = Softphone(events, args.edge, args.bind, args.port, args.wav, args.record_dir, agents,
                      max(0.0, args.register_gap), replies=args.replies)  # fmt: skip

    def stop(signum: int, frame: Any) -> None:
        phone.running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        phone.start(args.log_level)
        phone.run(stdin)
    finally:
        phone.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
