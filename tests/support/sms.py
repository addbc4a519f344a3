"""The reference SMS gateway as a real process for a test: a free loopback port, a 0600 key file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.postgres import free_port

KEY = "test-sms-key-0123456789abcdef"


def write_key(directory: Path, key: str = KEY, mode: int = 0o600) -> Path:
    path = directory / "sms-api.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    os.chmod(path, mode)
    return path


def handset(url: str, key: str, number: str) -> list[dict[str, object]]:
    """The simulated carrier's view of one phone: the texts it received, oldest first."""
    response = requests.get(f"{url}/v1/handsets/{number}/messages", headers={"authorization": f"Bearer {key}"},
                            timeout=5)  # fmt: skip
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


@dataclass
class Reference:
    process: subprocess.Popen[str]
    port: int
    key: str = KEY

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handset(self, number: str) -> list[dict[str, object]]:
        return handset(self.url, self.key, number)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)


def start_reference(directory: Path, port: int | None = None) -> Reference:
    port = port or free_port()
    command = [sys.executable, "-m", "integrations.sms.reference", "--port", str(port),
               "--api-key-file", str(write_key(directory))]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready" not in line:
        process.kill()
        errors = process.stderr.read() if process.stderr else ""
        raise AssertionError(f"the reference SMS gateway did not start: {line} {errors}")
    return Reference(process, port)
