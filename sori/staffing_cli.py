"""``sori staffing``: Erlang C and Erlang A answers as one line of JSON, and the schedules planners import.

- ``sori staffing erlang-c --calls-per-hour N --aht SECONDS --target-sl 0.8 --threshold SECONDS`` prints
  ``{"agents", "service_level", "asa_seconds", "occupancy"}``: the fewest agents for the target and what they
  give; ``erlang-a … --patience SECONDS`` adds ``"abandon_rate"`` (the service level is the centers' variant).
- ``sori staffing schedule-template`` prints the Korean CSV template; ``sori staffing import-schedule --center
  CODE FILE`` imports a file for one center (all rows or none).

Bad input exits with status 2 and a one-line message (Korean and English), never a traceback. The Erlang
commands need no configuration or database.
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the import's heavy modules (sqlalchemy, crm) wait until it runs
    from sori.config import Settings

PERIOD_S = 3600.0


def _number(kind: str, low: float, high: float = math.inf, *, low_open: bool = True, high_open: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}'은(는) 숫자가 아닙니다 / not a number") from None
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"{text}: {kind}")
        return value

    return parse


_POSITIVE = "0보다 커야 합니다 / must be greater than 0"
_FRACTION = "0과 1 사이여야 합니다 / must be between 0 and 1"
_NON_NEGATIVE = "0 이상이어야 합니다 / must be 0 or more"


def add_parsers(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    staffing = sub.add_parser("staffing", help="Erlang C/A staffing answers and staffing schedules")
    staffing_sub = staffing.add_subparsers(dest="staffing_command", required=True)
    for name, text in (
        ("erlang-c", "agents needed by Erlang C (callers never hang up), as JSON"),
        ("erlang-a", "agents needed by Erlang A (callers hang up after an exponential patience), as JSON"),
    ):
        erlang = staffing_sub.add_parser(name, help=text)
        erlang.add_argument("--calls-per-hour", type=_number(_POSITIVE, 0), required=True)
        erlang.add_argument("--aht", type=_number(_POSITIVE, 0), required=True, help="average handle time, seconds")
        erlang.add_argument(
            "--target-sl", type=_number(_FRACTION, 0, 1, high_open=True), default=0.8, help="e.g. 0.8 (default)"
        )
        erlang.add_argument(
            "--threshold", type=_number(_NON_NEGATIVE, 0, low_open=False), default=20.0,
            help="service-level threshold T in seconds (default 20)",
        )  # fmt: skip
        if name == "erlang-a":
            erlang.add_argument(
                "--patience", type=_number(_POSITIVE, 0), required=True, help="callers' mean patience, seconds"
            )
    staffing_sub.add_parser("schedule-template", help="print the Korean CSV template of a staffing schedule")
    imp = staffing_sub.add_parser("import-schedule", help="import a center's staffing schedule (CSV, all or none)")
    common(imp)
    imp.add_argument("--center", required=True, help="the center's code, e.g. ACRC110")
    imp.add_argument("--imported-by", help="who imports it (default: cli:<your user name>)")
    imp.add_argument("file", type=Path)


def run(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    try:
        if args.staffing_command == "erlang-c":
            print(json.dumps(erlang_c_answer(args.calls_per_hour, args.aht, args.target_sl, args.threshold)))
            return 0
        if args.staffing_command == "erlang-a":
            answer = erlang_a_answer(args.calls_per_hour, args.aht, args.target_sl, args.threshold, args.patience)
            print(json.dumps(answer))
            return 0
    except ValueError as exc:  # e.g. more agents than the search allows
        print(f"sori staffing: {exc}", file=sys.stderr)
        return 2
    if args.staffing_command == "schedule-template":
        from telephony.staffing.schedule_csv import TEMPLATE

        sys.stdout.write(TEMPLATE)
        return 0
    return _import(args, settings)


def erlang_c_answer(calls_per_hour: float, aht: float, target: float, threshold: float) -> dict[str, Any]:
    from telephony.staffing import erlang_c as c

    agents = c.agents_needed(calls_per_hour, PERIOD_S, aht, target, threshold)
    traffic = c.traffic_erlangs(calls_per_hour, PERIOD_S, aht)
    return {
        "agents": agents,
        "service_level": round(c.erlang_service_level(traffic, agents, aht, threshold), 6),
        "asa_seconds": round(c.erlang_asa(traffic, agents, aht), 3),
        "occupancy": round(c.erlang_occupancy(traffic, agents), 6),
    }


def erlang_a_answer(
    calls_per_hour: float, aht: float, target: float, threshold: float, patience: float
) -> dict[str, Any]:
    from telephony.staffing.erlang_a import agents_needed_a, erlang_a

    agents = agents_needed_a(calls_per_hour, PERIOD_S, aht, patience, target, threshold)
    result = erlang_a(calls_per_hour, PERIOD_S, aht, patience, agents, threshold)
    return {
        "agents": agents,
        "service_level": round(result.service_level, 6),
        "asa_seconds": round(result.asa_seconds, 3),
        "occupancy": round(result.occupancy, 6),
        "abandon_rate": round(result.abandon_rate, 6),
    }


def _import(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    from telephony.staffing.errors import ScheduleInvalid
    from telephony.staffing.schedule_csv import parse_schedule

    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"sori staffing: 파일을 읽을 수 없습니다 / cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"sori staffing: {args.file}은(는) UTF-8 CSV가 아닙니다 / not UTF-8 text", file=sys.stderr)
        return 2
    try:
        rows = parse_schedule(text)
    except ScheduleInvalid as exc:
        print(
            "sori staffing: 일정 파일에 잘못된 행이 있어 아무것도 가져오지 않았습니다 / nothing imported:",
            file=sys.stderr,
        )
        for number, reason in exc.rows:
            print(f"  {number}행: {reason}", file=sys.stderr)
        return 2
    try:
        loaded = settings()
    except Exception as exc:  # configuration errors are the user's to fix: say what is wrong
        print(f"sori: configuration error: {exc}", file=sys.stderr)
        return 2
    return _write(loaded, args.center, rows, args.imported_by or f"cli:{getpass.getuser()}")


def _write(settings: Settings, center: str, rows: Any, imported_by: str) -> int:
    from crm.store import migrate
    from crm.store.engine import make_engine
    from dashboard.supervisor_ports import ScheduledStaff
    from kernel.errors import DomainError
    from sori.staffing_wiring import SqlStaffingData

    settings.state_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        staff = [ScheduledStaff(center, row.interval_start, row.agents) for row in rows]
        written = SqlStaffingData(engine).import_schedule(center, staff, imported_by[:64])
    except DomainError as exc:
        print(f"sori staffing: {exc.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps({"center": center, "intervals": written}, ensure_ascii=False))
    return 0
