"""The console with the real accounts of a built system (argon2 passwords, the API's tokens), through the
adapter the composition root uses (``kernel.accounts.SignInSessions`` over ``system.sessions()``)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from console.csrf import FIELD
from crm.api.sessions import AgentSessions
from kernel.accounts import SignInSessions
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.integration.console.site import RunningConsole, csrf_of, log_in

pytestmark = pytest.mark.integration


class Recording(SignInSessions):
    """The real adapter, remembering the API tokens it handed out (to check that logout revokes them)."""

    def __init__(self, sign_in: AgentSessions) -> None:
        super().__init__(sign_in)
        self.issued: list[str] = []

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        granted = super().log_in(login, password, remote)
        self.issued.append(granted[0])
        return granted


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_logs_in_and_out_with_the_real_accounts(system: System) -> None:
    accounts = Recording(system.sessions())
    running = RunningConsole(accounts)
    try:
        client = requests.Session()
        assert log_in(client, running.base, "kim", "wrong").status_code == 401
        assert log_in(client, running.base, "kim", PASSWORD).status_code == 303
        shell = client.get(f"{running.base}/console/", timeout=10)
        assert shell.status_code == 200 and "테스트 kim" in shell.text and "ACRC110" in shell.text
        [token] = accounts.issued
        assert system.sessions().holder(token) is not None
        out = client.post(f"{running.base}/console/logout", data={FIELD: csrf_of(shell)}, allow_redirects=False)
        assert out.status_code == 303
        assert system.sessions().holder(token) is None, "logout revoked the API token too"
    finally:
        running.stop()
