"""``sori open311 key create|list|revoke`` as a user runs it: the key printed once, alone on the last line,
that key working over HTTP until it is revoked; lists show key prefixes only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from sori.wiring import System
from tests.support.api import RunningApi
from tests.support.system import TEST_KEY

pytestmark = pytest.mark.integration

SERVICE = {
    "service_code": "NOISE",
    "description": "밤마다 공사 소음이 심합니다.",
    "address_string": "부산광역시 해운대구",
}


def sori(system: System, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SORI_PRIVACY__RRN_HASH_KEY": TEST_KEY}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sori.cli",
            "open311",
            "key",
            *args,
            "--state-dir",
            str(system.settings.state_dir),
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_create_list_revoke(api: RunningApi, system: System, database_url: str) -> None:
    created = sori(system, database_url, "create", "--app", "구청 앱")
    assert created.returncode == 0, created.stderr
    api_key = created.stdout.strip().splitlines()[-1]
    assert len(api_key) >= 40 and " " not in api_key
    assert api_key not in created.stderr

    url = f"{api.base}/open311/v2/requests.json"
    definition = requests.get(f"{api.base}/open311/v2/services/NOISE.json", timeout=30).json()
    extra = {
        f"attribute[{a['code']}]": (a["values"][0]["key"] if a["values"] else "1")
        for a in definition["attributes"]
        if a["required"]
    }
    posted = requests.post(url, data={**SERVICE, **extra, "api_key": api_key}, timeout=30)
    assert posted.status_code == 200, posted.text

    again = sori(system, database_url, "create", "--app", "구청 앱")
    assert again.returncode == 2 and "이미" in again.stderr

    listed = sori(system, database_url, "list")
    assert listed.returncode == 0, listed.stderr
    [app] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert app["name"] == "구청 앱" and app["key_prefix"] == api_key[:8] and app["revoked_at"] is None
    assert api_key not in listed.stdout

    revoked = sori(system, database_url, "revoke", "--app", "구청 앱")
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["revoked_at"]
    refused = requests.post(url, data={**SERVICE, **extra, "api_key": api_key}, timeout=30)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    missing = sori(system, database_url, "revoke", "--app", "없는 앱")
    assert missing.returncode == 2
