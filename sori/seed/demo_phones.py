"""The demo agents' SIP passwords: random at seed time, kept for the demo's own phones in one 0600 file.

The store keeps only each phone's HA1. The demo's softphones and agent bots (``sori up --demo``,
``sori simulate``) need the passwords themselves, so the seed writes them to
``<state_dir>/secrets/demo-sip-passwords.json`` (owner-only, never on a command line) and the simulation
reads them from there. A re-seed keeps a password whose HA1 still matches; a demo phone whose password
someone rotated (``sori agents sip-password LOGIN``, the API) keeps the rotated one and leaves the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from crm.agents.model import Agent
from crm.agents.sip import digest_ha1, issue

FILE = Path("secrets") / "demo-sip-passwords.json"


def demo_sip_file(state_dir: Path) -> Path:
    return Path(state_dir) / FILE


def read_demo_sip_passwords(state_dir: Path) -> dict[str, str]:
    """login → SIP password of the demo phones (empty when the demo was never seeded here)."""
    return read_sip_file(demo_sip_file(state_dir))


def read_sip_file(path: Path) -> dict[str, str]:
    """login → SIP password from a JSON object file like the seed's (empty when there is none)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def assign_demo_sip_passwords(agents: Iterable[Agent], realm: str, state_dir: Path, legacy: str) -> dict[str, str]:
    """Give each demo agent without a phone password (or with the old one derived from ``legacy``, the API
    password stores seeded before kept) a random one; returns login → password for the file."""
    known = read_demo_sip_passwords(state_dir)
    passwords: dict[str, str] = {}
    for agent in agents:
        mine = known.get(agent.login)
        if mine is not None and agent.sip_ha1 == digest_ha1(agent.login, realm, mine):
            passwords[agent.login] = mine
        elif agent.sip_ha1 is None or agent.sip_ha1 == digest_ha1(agent.login, realm, legacy):
            passwords[agent.login] = issue(agent, realm).password
    return passwords


def write_demo_sip_passwords(state_dir: Path, passwords: dict[str, str]) -> Path:
    """Replace the file atomically, created 0600 in a 0700 directory whatever the umask."""
    path = demo_sip_file(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle, indent=1, sort_keys=True)
    tmp.replace(path)
    return path
