"""The softphone's line protocol: the agents it hosts, the commands it reads, the headers it reports.

Shared by the softphone process (``telephony.phones.softphone``, which loads pjsua2) and the fleet
(``telephony.phones.fleet``, which runs in a Twisted process that never loads pjsua2), so neither imports
the other. Everything crosses the pipe as one JSON object per line.

Agents (stdin's first line or ``--agents-file``)::

    [{"login": "acrc.kim", "password": "...", "answer_after_s": 0.3, "talk_s": null}, ...]

Commands (stdin, one per line)::

    {"cmd": "hangup", "login": "acrc.kim"}
    {"cmd": "dtmf", "login": "acrc.kim", "digits": "12#"}
    {"cmd": "quit"}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telephony.edge.tables import LOGIN

# pjsua2-python is built with PJSUA_MAX_CALLS=4 and PJSUA_MAX_ACC=8 (a 9th Account.create aborts the
# process): one call per agent, so at most 4 agents share one softphone process.
MAX_AGENTS_PER_PROCESS = 4
DTMF_DIGITS = re.compile(r"^[0-9*#A-Da-d]{1,32}$")
_AGENT_KEYS = {"login", "password", "answer_after_s", "talk_s"}


class BadAgents(ValueError):
    """The agents list is not what a softphone can host; the message says why."""


class BadCommand(ValueError):
    """A command line the softphone cannot carry out; the message says why."""


@dataclass(frozen=True)
class AgentPhone:
    """One agent's phone: registers as ``login`` (digest password), answers and talks as told.

    ``talk_s`` None means the phone stays on the call until the far end (or a ``hangup`` command) ends it.
    """

    login: str
    password: str
    answer_after_s: float = 0.3
    talk_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "password": self.password,
            "answer_after_s": self.answer_after_s,
            "talk_s": self.talk_s,
        }


def parse_agents(text: str, limit: int = MAX_AGENTS_PER_PROCESS) -> list[AgentPhone]:
    """Agents from a JSON list; raises ``BadAgents`` naming the first problem."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise BadAgents(f"agents are not JSON: {error}") from None
    if not isinstance(raw, list) or not raw:
        raise BadAgents("agents must be a non-empty JSON list")
    if len(raw) > limit:
        raise BadAgents(
            f"{len(raw)} agents given, one softphone process hosts at most {limit} "
            "(pjsua2-python allows 4 calls per process): start another process for the rest"
        )
    agents = [_agent(item, index) for index, item in enumerate(raw)]
    logins = [agent.login for agent in agents]
    duplicates = sorted({login for login in logins if logins.count(login) > 1})
    if duplicates:
        raise BadAgents(f"duplicate logins: {', '.join(duplicates)}")
    return agents


def _agent(item: object, index: int) -> AgentPhone:
    where = f"agent #{index + 1}"
    if not isinstance(item, dict):
        raise BadAgents(f"{where}: expected an object")
    unknown = sorted(set(item) - _AGENT_KEYS)
    if unknown:
        raise BadAgents(f"{where}: unknown fields {unknown}")
    login, password = item.get("login"), item.get("password")
    if not isinstance(login, str) or not LOGIN.match(login):
        raise BadAgents(f"{where}: login must be lower-case letters, digits, '.', '_' or '-' (got {login!r})")
    if not isinstance(password, str) or not password:
        raise BadAgents(f"{where} ({login}): password must be a non-empty string")
    answer_after = _seconds(item.get("answer_after_s", 0.3), f"{where} ({login}): answer_after_s", allow_zero=True)
    talk = item.get("talk_s")
    talk_s = None if talk is None else _seconds(talk, f"{where} ({login}): talk_s", allow_zero=False)
    return AgentPhone(login, password, answer_after, talk_s)


def _seconds(value: object, what: str, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadAgents(f"{what} must be a number of seconds")
    if value < 0 or (value == 0 and not allow_zero):
        raise BadAgents(f"{what} must be {'at least' if allow_zero else 'more than'} 0")
    return float(value)


def encode_agents(agents: Iterable[AgentPhone]) -> str:
    return json.dumps([agent.to_json() for agent in agents], ensure_ascii=False)


@dataclass(frozen=True)
class Hangup:
    login: str


@dataclass(frozen=True)
class Dtmf:
    login: str
    digits: str


@dataclass(frozen=True)
class Quit:
    pass


Command = Hangup | Dtmf | Quit


def parse_command(line: str) -> Command:
    """One command line; raises ``BadCommand`` for anything malformed (never anything else)."""
    try:
        raw = json.loads(line)
    except ValueError:
        raise BadCommand("not a JSON object") from None
    if not isinstance(raw, dict):
        raise BadCommand("not a JSON object")
    name = raw.get("cmd")
    if name == "quit":
        return Quit()
    if name not in ("hangup", "dtmf"):
        raise BadCommand(f"unknown cmd {name!r} (hangup, dtmf, quit)")
    login = raw.get("login")
    if not isinstance(login, str) or not login:
        raise BadCommand(f"{name}: login missing")
    if name == "hangup":
        return Hangup(login)
    digits = raw.get("digits")
    if not isinstance(digits, str) or not DTMF_DIGITS.match(digits):
        raise BadCommand("dtmf: digits must be 1 to 32 of 0-9 * # A-D")
    return Dtmf(login, digits)


def encode_command(command: Command) -> str:
    if isinstance(command, Hangup):
        return json.dumps({"cmd": "hangup", "login": command.login})
    if isinstance(command, Dtmf):
        return json.dumps({"cmd": "dtmf", "login": command.login, "digits": command.digits})
    return json.dumps({"cmd": "quit"})


def reported_headers(whole_msg: str) -> dict[str, str]:
    """The headers of an INVITE an agent's phone reports: ``X-Sori-*`` and ``User-to-User``."""
    head = whole_msg.replace("\r\n", "\n").split("\n\n", 1)[0]
    found: dict[str, str] = {}
    for line in head.split("\n")[1:]:
        name, sep, value = line.partition(":")
        name = name.strip()
        if sep and (name.lower().startswith("x-sori-") or name.lower() == "user-to-user"):
            found[name] = value.strip()
    return found
