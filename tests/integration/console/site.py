"""The console's resource on a real twisted.web ``Site`` on a free loopback port, for the tests here, with a
hand-set clock and an in-memory stand-in for the agents' accounts."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

import requests
from twisted.web import resource, server
from twisted.web.resource import IResource

from console.csrf import FIELD
from console.desk_port import AgentDesk
from console.ports import LoginRefused, Sessions, Viewer
from console.sessions import ConsoleSessions
from console.web import ConsoleResource
from tests.support import reactor as rt

PASSWORD = "correct horse battery"
KIM = Viewer(7, "kim", "김상담", "agent", "ACRC110")


class FakeAccounts:
    """Stands for the agents' accounts (the API's sign-in service) behind the ``Sessions`` port: one
    password, tokens in a dict, revocations recorded so that tests can see logout reach the accounts."""

    def __init__(self, *viewers: Viewer) -> None:
        self.viewers = {v.login: v for v in viewers}
        self.tokens: dict[str, Viewer] = {}
        self.revoked: list[str] = []

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        if login not in self.viewers or password != PASSWORD:
            raise LoginRefused("unauthorized", "아이디 또는 비밀번호가 틀렸습니다.")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = self.viewers[login]
        return token, dt.datetime.now(dt.UTC) + dt.timedelta(hours=10)

    def viewer(self, token: str) -> Viewer | None:
        return self.tokens.get(token)

    def log_out(self, token: str) -> None:
        self.tokens.pop(token, None)
        self.revoked.append(token)


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RunningConsole:
    port: Sessions
    on_call: set[int] = field(default_factory=set)
    clock: Clock = field(default_factory=Clock)
    stream: resource.Resource | None = None
    desk: AgentDesk | None = None

    def __post_init__(self) -> None:
        self.sessions = ConsoleSessions(lambda agent: agent in self.on_call)
        self.console = ConsoleResource(self.sessions, self.port, self.stream, clock=self.clock, desk=self.desk)
        root = resource.Resource()
        root.putChild(b"console", cast(IResource, self.console))
        self.listening: Any = rt.call(lambda: rt.reactor.listenTCP(0, server.Site(root), interface="127.0.0.1"))
        self.base = f"http://127.0.0.1:{self.listening.getHost().port}"

    def stop(self) -> None:
        rt.call(self.listening.stopListening)


def csrf_of(page: requests.Response) -> str:
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def log_in(client: requests.Session, base: str, login: str = "kim", password: str = PASSWORD) -> requests.Response:
    page = client.get(f"{base}/console/login", timeout=10)
    assert page.status_code == 200
    form = {"login": login, "password": password, FIELD: csrf_of(page)}
    return client.post(f"{base}/console/login", data=form, allow_redirects=False, timeout=10)
