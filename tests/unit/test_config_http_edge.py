"""The HTTP edge's settings: the dashboard cookie's Secure flag ("auto" by default) and the login throttle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sori.config import load_settings
from sori.wiring import build_system


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith("SORI_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("value", "expected"), [(None, "auto"), ("auto", "auto"), ("true", True), ("false", False)])
def test_secure_cookie_is_auto_unless_forced(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: object
) -> None:
    if value is not None:
        monkeypatch.setenv("SORI_DASHBOARD__SECURE_COOKIE", value)
    assert load_settings().dashboard.secure_cookie == expected


def test_secure_cookie_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORI_DASHBOARD__SECURE_COOKIE", "sometimes")
    with pytest.raises(ValueError, match="secure_cookie"):
        load_settings()


def test_the_login_throttle_is_built_from_the_http_settings(tmp_path: Path) -> None:
    settings = load_settings(state_dir=tmp_path / "state", privacy={"rrn_hash_key": "00" * 32},
                             http={"login_max_keys": 500, "login_address_max_failures": 7,
                                   "login_max_delay_s": 60})  # fmt: skip
    limiter = build_system(settings).login_limiter()
    assert (limiter.max_keys, limiter.address_free_failures, limiter.max_delay_s) == (500, 7, 60)
    assert limiter.free_failures == 5 and limiter.stats()["keys"] == 0
