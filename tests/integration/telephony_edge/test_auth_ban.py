"""Password guessing at the SIP edge: digest failures ban the source address and lock the login, while the
agent's own phone, on the address it registered from, keeps registering (real Kamailio, SIPp over loopback)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from telephony.edge.settings import AuthBanConfig, EdgeConfig
from telephony.edge.tables import Subscriber
from tests.integration.telephony_edge.harness import RunningEdge, SippFactory

pytestmark = pytest.mark.integration

Edges = Callable[..., RunningEdge]
Ports = Callable[[], int]
PASSWORD = "kim's own 24-char secret"


def test_guessing_passwords_bans_the_source_and_locks_the_login_but_not_the_phone(
    edges: Edges, sipp: SippFactory, ports: Ports
) -> None:
    ban = AuthBanConfig(source_failures=3, login_failures=3, window_seconds=60, ban_seconds=60)
    edge = edges(EdgeConfig(port=ports(), children=2, shared_memory_mb=32, auth_ban=ban), [],
                 [Subscriber("kim", PASSWORD)])  # fmt: skip
    contact = {"contact_port": str(ports())}

    def phone(source: str) -> int:
        run = sipp.run("register.xml", ports(), edge.address, service="kim", variables=contact,
                       auth=("kim", PASSWORD), local_ip=source)  # fmt: skip
        return run.wait()

    assert phone("127.0.0.1") == 0  # the agent's phone, registered before the attack

    guesses = []
    for attempt in range(5):
        guess = sipp.run("register_guess.xml", ports(), edge.address, service="kim", auth=("kim", f"guess-{attempt}"),
                         local_ip="127.0.0.2")  # fmt: skip
        guesses.append((guess.wait(), guess.trace_text().count("SIP/2.0 401")))
    # Two wrong passwords are challenged again; the third bans the source: no answer to it or anything after.
    assert guesses[:2] == [(0, 2), (0, 2)], guesses
    assert guesses[2][0] != 0 and guesses[2][1] == 1, guesses
    assert all(code != 0 and challenges == 0 for code, challenges in guesses[3:]), guesses

    assert phone("127.0.0.1") == 0  # the phone's own address keeps registering the locked login
    assert phone("127.0.0.3") != 0  # the right password from an address that never registered it: refused
    log = edge.log_text()
    assert "from 127.0.0.2 (last login 'kim'): source banned" in log
    assert "login 'kim'" in log and "login locked" in log
    assert "login kim is locked; REGISTER from 127.0.0.3 dropped" in log
