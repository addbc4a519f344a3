"""Agents' phones for end-to-end tests: the product softphone (``python -m telephony.phones.softphone``)
run as a subprocess, its JSON event lines collected by a reader thread."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any


class Softphone:
    def __init__(self, edge_port: int, logins: Iterable[str], wav: Path, record_dir: Path, talk_s: float | None = None,
                 *, passwords: Mapping[str, str], replies: Iterable[Path] = ()):  # fmt: skip
        """``passwords``: each login's SIP password (the demo seed's: ``stack["sip_passwords"]``), on stdin.
        ``replies``: the agents take turns with the caller, saying these in order, instead of looping ``wav``."""
        self.logins = list(logins)
        agents = [{"login": login, "password": passwords[login], "answer_after_s": 0.3, "talk_s": talk_s}
                  for login in self.logins]  # fmt: skip
        record_dir.mkdir(parents=True, exist_ok=True)
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "telephony.phones.softphone", "--edge", f"127.0.0.1:{edge_port}",
             "--wav", str(wav), "--record-dir", str(record_dir),
             *(["--replies", *map(str, replies)] if replies else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(agents) + "\n")
        self.process.stdin.flush()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                self.events.append(event)

    def matching(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if predicate(e)]

    def wait(self, event: str, timeout: float = 20.0, count: int = 1, **fields: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.matching(lambda e: e.get("event") == event and all(e.get(k) == v for k, v in fields.items()))
            if len(found) >= count:
                return found
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no {count} × {event} {fields} from the softphone; saw {self.events[-12:]}")
            time.sleep(0.1)

    def command(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.command(cmd="quit")
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
