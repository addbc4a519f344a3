"""``sori staffing`` as planners run it: the real command, its JSON, its exit codes and its schedule import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from crm.store import tables
from crm.store.engine import make_engine
from telephony.staffing.schedule_csv import TEMPLATE

pytestmark = pytest.mark.integration


def sori(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).with_name("sori")
    command = str(beside_python) if beside_python.exists() else shutil.which("sori")
    if command is None:
        pytest.fail("the sori command is not installed (pip install -e . in the venv)")
    return subprocess.run([command, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_erlang_c_prints_the_worked_example_as_json() -> None:
    # 200 calls per hour × 180 s = 10 erlangs: 14 agents, 88.8 % within 20 s, ASA 7.8 s, occupancy 10/14
    done = sori("staffing", "erlang-c", "--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8",
                "--threshold", "20")  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"agents", "service_level", "asa_seconds", "occupancy"}
    assert answer["agents"] == 14
    assert answer["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert answer["asa_seconds"] == pytest.approx(7.84, abs=0.01)
    assert answer["occupancy"] == pytest.approx(10 / 14, abs=1e-6)


def test_erlang_a_adds_the_abandon_rate_and_needs_fewer_agents() -> None:
    done = sori("staffing", "erlang-a", "--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8",
                "--threshold", "20", "--patience", "120")  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"agents", "service_level", "asa_seconds", "occupancy", "abandon_rate"}
    assert answer["agents"] < 14 and answer["service_level"] >= 0.8
    assert 0 < answer["abandon_rate"] < 0.2


@pytest.mark.parametrize(
    "args",
    [
        ["erlang-c", "--calls-per-hour", "-5", "--aht", "180"],
        ["erlang-c", "--calls-per-hour", "200", "--aht", "abc"],
        ["erlang-c", "--calls-per-hour", "200", "--aht", "180", "--target-sl", "1.5"],
        ["erlang-a", "--calls-per-hour", "200", "--aht", "180"],  # no --patience
        ["erlang-a", "--calls-per-hour", "200", "--aht", "180", "--patience", "0"],
        ["erlang-c", "--calls-per-hour", "2000000", "--aht", "1800"],  # more agents than the search allows
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(args: list[str]) -> None:
    done = sori("staffing", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.strip()


def test_the_template_then_an_import_into_the_store(tmp_path: Path, database_url: str) -> None:
    template = sori("staffing", "schedule-template")
    assert template.returncode == 0 and template.stdout == TEMPLATE
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.centers).values(
                code="ACRC110", name="정부민원안내콜센터", institution="국민권익위원회", public_number="110",
                hours="24/7", service_level="80/20", area_codes=[], overflow_partners=[], active=True, demo=False,
            )
        )  # fmt: skip
    good = tmp_path / "schedule.csv"
    good.write_text("\ufeff" + TEMPLATE, encoding="utf-8")
    common = ["--database-url", database_url, "--state-dir", str(tmp_path / "state")]
    done = sori("staffing", "import-schedule", "--center", "ACRC110", *common, str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"center": "ACRC110", "intervals": 6}  # 2 + the 60-minute row's 4

    bad = tmp_path / "bad.csv"
    bad.write_text("날짜,시작시각,상담사수\n2026-12-09,09:00,5\n2026-12-09,09:07,5\n", encoding="utf-8")
    refused = sori("staffing", "import-schedule", "--center", "ACRC110", *common, str(bad))
    assert refused.returncode == 2 and "3행" in refused.stderr and "Traceback" not in refused.stderr
    unknown = sori("staffing", "import-schedule", "--center", "NOPE999", *common, str(good))
    assert unknown.returncode == 2 and "NOPE999" in unknown.stderr
    with engine.connect() as conn:
        rows = conn.execute(select(tables.staffing_schedules.c.agents)).scalars().all()
    engine.dispose()
    assert sorted(rows) == [12, 14, 15, 15, 15, 15]  # nothing of the bad file, nothing for the unknown center
