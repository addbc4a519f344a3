"""SIP passwords of the demo and of `sori agents`: random per phone, never the API password, handed to the
demo's phones through a 0600 file, shown once by the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from crm.store import migrate, tables
from sori.seed.demo import DEMO_AGENTS, DEMO_PASSWORD, seed_demo
from sori.seed.demo_phones import demo_sip_file, read_demo_sip_passwords
from sori.simulate import DEMO_BOTS, simulation_config
from sori.wiring import System
from tests.support.system import make_system

pytestmark = pytest.mark.integration
SORI = str(Path(sys.executable).with_name("sori"))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _ha1s(system: System) -> dict[str, str]:
    with system.engine.connect() as conn:
        return {r.login: r.sip_ha1 for r in conn.execute(select(tables.agents.c.login, tables.agents.c.sip_ha1))}


@pytest.fixture
def seeded(tmp_path: Path) -> System:
    system = make_system(f"sqlite:///{tmp_path / 'sori.db'}", tmp_path / "state")
    migrate.upgrade(system.engine)
    seed_demo(system)
    return system


def test_the_demo_seed_gives_each_phone_a_random_password_in_an_owner_only_file(seeded: System) -> None:
    state = seeded.settings.state_dir
    path = demo_sip_file(state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    passwords = read_demo_sip_passwords(state)
    ha1s = _ha1s(seeded)
    assert set(passwords) == {agent[0] for agent in DEMO_AGENTS}
    assert len(set(passwords.values())) == len(passwords)  # one each, random
    for login, password in passwords.items():
        assert ha1s[login] == _md5(f"{login}:sori:{password}") != _md5(f"{login}:sori:{DEMO_PASSWORD}")

    # The simulation's bots take them from there (in memory: to the softphones' stdin, never argv).
    bots = simulation_config(seeded.settings).bots
    assert [(login, api, sip) for login, api, sip in bots] == [(b, DEMO_PASSWORD, passwords[b]) for b in DEMO_BOTS]

    # A re-seed keeps them; a phone whose password someone rotated keeps the rotation and leaves the file;
    # a store seeded when the phone's password was the API password gets a random one.
    with seeded.engine.begin() as conn:
        conn.execute(update(tables.agents).where(tables.agents.c.login == "acrc.kim").values(sip_ha1=_md5("rotated")))
        old = _md5(f"nts.choi:sori:{DEMO_PASSWORD}")
        conn.execute(update(tables.agents).where(tables.agents.c.login == "nts.choi").values(sip_ha1=old))
    seed_demo(seeded)
    again = read_demo_sip_passwords(state)
    assert "acrc.kim" not in again and _ha1s(seeded)["acrc.kim"] == _md5("rotated")
    assert again["nts.choi"] != passwords["nts.choi"]
    assert _ha1s(seeded)["nts.choi"] == _md5(f"nts.choi:sori:{again['nts.choi']}")
    assert {k: v for k, v in again.items() if k != "nts.choi"} == {
        k: v for k, v in passwords.items() if k not in ("nts.choi", "acrc.kim")
    }


def test_sori_agents_prints_a_new_sip_password_once(seeded: System) -> None:
    state = seeded.settings.state_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env["SORI_DATABASE__URL"] = seeded.settings.database_url
    common = ["--state-dir", str(state)]

    rotated = subprocess.run([SORI, "agents", "sip-password", "acrc.kim", *common], env=env, capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    password = rotated.stdout.strip()
    assert len(password) >= 20 and "shown only now" in rotated.stderr
    assert _ha1s(seeded)["acrc.kim"] == _md5(f"acrc.kim:sori:{password}")

    missing = subprocess.run([SORI, "agents", "sip-password", "nobody", *common], env=env, capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert missing.returncode == 2 and "nobody" in missing.stderr

    added = subprocess.run([SORI, "agents", "add", "--login", "acrc.new", "--center", "ACRC110", "--name", "새 상담사",
                            *common], input="a long enough pass\n", env=env, capture_output=True, text=True,
                           timeout=60)  # fmt: skip
    assert added.returncode == 0, added.stderr
    sip = added.stdout.split("sip-password ", 1)[1].strip()
    assert _ha1s(seeded)["acrc.new"] == _md5(f"acrc.new:sori:{sip}") != _md5("acrc.new:sori:a long enough pass")
    assert json.dumps(read_demo_sip_passwords(state)).count(password) == 0  # a rotation is never written down
