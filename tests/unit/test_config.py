"""Layered configuration: defaults < TOML file < SORI_* environment < explicit overrides (CLI flags)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from sori.config import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SORI_* variables from the developer's shell, and a working directory without sori.toml."""
    for name in list(os.environ):
        if name.upper().startswith("SORI_"):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_with_no_file(clean_environment: Path) -> None:
    settings = load_settings()
    assert settings.http.host == "127.0.0.1"
    assert settings.http.port == 8080
    assert settings.state_dir == clean_environment / "var"
    assert settings.state_dir.is_absolute()
    assert settings.database.url is None
    assert settings.database_url == f"sqlite:///{clean_environment / 'var' / 'sori.db'}"
    assert settings.retention.access_log_days >= 730
    assert settings.continuity.open_case_days == 7
    assert settings.calendar.temporary_holidays == []
    assert settings.log.level == "INFO" and settings.log.file is None


def test_defaults_do_not_create_anything(clean_environment: Path) -> None:
    load_settings()
    assert list(clean_environment.iterdir()) == []


def test_sori_toml_in_the_working_directory_is_read(clean_environment: Path) -> None:
    write_toml(clean_environment / "sori.toml", "[http]\nport = 9000\n")
    settings = load_settings()
    assert settings.http.port == 9000
    assert settings.http.host == "127.0.0.1"  # the rest of the section keeps its defaults


def test_file_named_by_override_or_environment(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = write_toml(tmp_path / "elsewhere.toml", "[http]\nport = 9100\n")
    write_toml(clean_environment / "sori.toml", "[http]\nport = 9000\n")
    assert load_settings(config_file=named).http.port == 9100
    monkeypatch.setenv("SORI_CONFIG_FILE", str(named))
    assert load_settings().http.port == 9100


def test_missing_named_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.toml"):
        load_settings(config_file=tmp_path / "nope.toml")
    monkeypatch.setenv("SORI_CONFIG_FILE", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError):
        load_settings()


def test_layers_in_order(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(
        clean_environment / "sori.toml",
        '[http]\nhost = "0.0.0.0"\nport = 9000\nmax_body_bytes = 4096\n[continuity]\nopen_case_days = 10\n',
    )
    # file over defaults
    settings = load_settings()
    assert (settings.http.host, settings.http.port, settings.http.max_body_bytes) == ("0.0.0.0", 9000, 4096)

    # environment over file; nested keys with a double underscore; untouched keys of the section survive
    monkeypatch.setenv("SORI_HTTP__PORT", "9001")
    monkeypatch.setenv("SORI_CONTINUITY__CALLBACK_MINUTES", "45")
    settings = load_settings()
    assert (settings.http.host, settings.http.port, settings.http.max_body_bytes) == ("0.0.0.0", 9001, 4096)
    assert (settings.continuity.open_case_days, settings.continuity.callback_minutes) == (10, 45)

    # explicit overrides (CLI flags) over environment, merged per key
    settings = load_settings(http={"port": 9002})
    assert (settings.http.host, settings.http.port, settings.http.max_body_bytes) == ("0.0.0.0", 9002, 4096)
    assert settings.continuity.callback_minutes == 45

    # a flag that was not given (None) does not hide the lower layers
    settings = load_settings(http={"port": None, "host": None}, state_dir=None)
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", 9001)
    assert settings.state_dir == clean_environment / "var"


def test_environment_over_defaults_without_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SORI_HTTP__PORT", "8081")
    monkeypatch.setenv("SORI_DATABASE__URL", "postgresql://sori@db.internal/sori")
    monkeypatch.setenv("SORI_STATE_DIR", str(tmp_path / "state"))
    settings = load_settings()
    assert settings.http.port == 8081
    assert settings.database_url == "postgresql://sori@db.internal/sori"
    assert settings.state_dir == tmp_path / "state"


def test_typed_values(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(
        clean_environment / "sori.toml", '[calendar]\ntemporary_holidays = [2025-01-27]\n[log]\nfile = "x.log"\n'
    )
    settings = load_settings()
    assert settings.calendar.temporary_holidays == [dt.date(2025, 1, 27)]
    assert settings.log.file == Path("x.log")
    monkeypatch.setenv("SORI_CALENDAR__TEMPORARY_HOLIDAYS", '["2025-10-10"]')
    assert load_settings().calendar.temporary_holidays == [dt.date(2025, 10, 10)]


def test_relative_state_dir_is_made_absolute(clean_environment: Path) -> None:
    assert load_settings(state_dir="data").state_dir == clean_environment / "data"


@pytest.mark.parametrize(
    "toml",
    [
        "bogus = 1\n",
        "[http]\nbogus = 1\n",
        "[htpp]\nport = 9000\n",
        "[retention]\naccess_log_days_typo = 800\n",
    ],
)
def test_unknown_keys_in_the_file_are_rejected(clean_environment: Path, toml: str) -> None:
    write_toml(clean_environment / "sori.toml", toml)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        load_settings()


def test_unknown_keys_in_overrides_are_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        load_settings(bogus=1)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        load_settings(http={"prot": 9000})


def test_unknown_nested_environment_key_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORI_HTTP__PROT", "9000")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        load_settings()


@pytest.mark.parametrize("days", [0, 365, 729])
def test_access_log_retention_below_two_years_is_rejected(days: int) -> None:
    with pytest.raises(ValidationError, match="access_log_days"):
        load_settings(retention={"access_log_days": days})


def test_access_log_retention_below_two_years_is_rejected_from_every_layer(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(clean_environment / "sori.toml", "[retention]\naccess_log_days = 729\n")
    with pytest.raises(ValidationError, match="access_log_days"):
        load_settings()
    (clean_environment / "sori.toml").unlink()
    monkeypatch.setenv("SORI_RETENTION__ACCESS_LOG_DAYS", "100")
    with pytest.raises(ValidationError, match="access_log_days"):
        load_settings()


def test_two_years_of_access_log_is_enough() -> None:
    assert load_settings(retention={"access_log_days": 730}).retention.access_log_days == 730


@pytest.mark.parametrize(
    "overrides",
    [
        {"http": {"port": 70000}},
        {"http": {"port": -1}},
        {"http": {"token_hours": 0}},
        {"continuity": {"open_case_days": 0}},
        {"continuity": {"callback_minutes": 1441}},
        {"database": {"threads": 0}},
        {"retention": {"closed_cases_days": 364}},
        {"calendar": {"temporary_holidays": ["not a date"]}},
    ],
)
def test_out_of_range_values_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        load_settings(**overrides)


def test_settings_is_the_typed_object() -> None:
    assert isinstance(load_settings(), Settings)


def test_a_misspelt_environment_setting_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORI_HTTP_PORT", "9000")
    with pytest.raises(ValueError, match="SORI_HTTP_PORT"):
        load_settings()


def test_outside_transfer_destinations_are_named_addresses(clean_environment: Path) -> None:
    ok = Settings(telephony={"external_destinations": {"police": "tel:112", "partner-pbx": "sip:1000@10.0.0.9"}})
    assert ok.telephony.external_destinations["police"] == "tel:112"
    assert Settings().telephony.external_destinations == {}, "none unless configured"
    for bad in ({"Police": "tel:112"}, {"police": "http://x"}, {"police": "tel:" + "1" * 300}):
        with pytest.raises(ValidationError):
            Settings(telephony={"external_destinations": bad})
