"""Reads IVR flow files (TOML, one per center) into ``Flow`` objects, collecting every problem.

File names say what a flow is for: ``<CENTER_CODE>.toml`` (ACRC110.toml), ``default.toml`` for
centers without a file, ``shared-<number>.toml`` for the region menu of a shared number (120).
A prompt is a text key (``prompt = "..."``) and/or a recorded file (``prompt_file = "..."``,
relative to the flows directory). ``load_flows`` returns every flow, or raises ``IvrFlowInvalid``
listing every problem in every file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.centers import CENTER_CODE
from telephony.ivr import model as m
from telephony.ivr.errors import FlowProblem, IvrFlowInvalid
from telephony.ivr.reader import SECTIONS, Reader
from telephony.ivr.steps import read_step
from telephony.ivr.validate import check_flow

STEP_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
SHARED_FILE = re.compile(r"^shared-(\d{3,4})$")
DEFAULT_RETRY = m.RetryPolicy(
    invalid=m.PromptSpec("잘못 누르셨습니다. 다시 선택해 주십시오."),
    timeout=m.PromptSpec("입력이 확인되지 않았습니다. 다시 안내해 드리겠습니다."),
    exhausted=m.PromptSpec("입력이 확인되지 않아 다음 안내로 넘어가겠습니다."),
)


@dataclass
class FlowSet:
    """Every loaded flow: by center code, the default, and the region flows of shared numbers."""

    centers: Mapping[str, m.Flow]
    default: m.Flow
    shared: Mapping[str, m.Flow]

    def for_center(self, code: str) -> m.Flow:
        """The center's own flow, or the default flow when it has none."""
        return self.centers.get(code, self.default)

    def for_shared_number(self, number: str) -> m.Flow | None:
        """The region flow of a shared number (120), when one exists."""
        return self.shared.get(number)


def _kind_of(path: Path) -> tuple[m.FlowKind, str | None] | None:
    if path.stem == "default":
        return m.FlowKind.DEFAULT, None
    shared = SHARED_FILE.match(path.stem)
    if shared:
        return m.FlowKind.SHARED, shared.group(1)
    if CENTER_CODE.match(path.stem):
        return m.FlowKind.CENTER, None
    return None


def shipped_flows_dir() -> Path:
    """The flows that ship with Sori (``telephony/ivr/flows``)."""
    return Path(__file__).parent / "flows"


def load_flows(
    directory: Path,
    *,
    known_centers: Collection[str] | None = None,
    known_skills: Mapping[str, Collection[str]] | None = None,
) -> FlowSet:
    """Every ``*.toml`` flow in ``directory``, or ``IvrFlowInvalid`` with every problem in every file.

    ``known_centers`` (codes) checks transfer and region targets; ``known_skills`` (center → skills)
    checks queue skills. Without them only their format is checked.
    """
    problems: list[FlowProblem] = []
    flows = [load_one(path, problems, known_centers, known_skills) for path in sorted(directory.glob("*.toml"))]
    found = [flow for flow in flows if flow is not None]
    defaults = [flow for flow in found if flow.kind is m.FlowKind.DEFAULT]
    if not defaults and not problems:
        problems.append(FlowProblem(str(directory), "[flow]", "no default.toml: centers without a flow need one"))
    if problems:
        raise IvrFlowInvalid(problems)
    return FlowSet(
        centers={flow.name: flow for flow in found if flow.kind is m.FlowKind.CENTER},
        default=defaults[0],
        shared={flow.number or "": flow for flow in found if flow.kind is m.FlowKind.SHARED},
    )


def load_flow(path: Path, **known: Any) -> m.Flow:
    """One flow file, or ``IvrFlowInvalid`` listing its problems."""
    problems: list[FlowProblem] = []
    flow = load_one(path, problems, known.get("known_centers"), known.get("known_skills"))
    if problems or flow is None:
        raise IvrFlowInvalid(problems)
    return flow


def load_one(
    path: Path,
    problems: list[FlowProblem],
    known_centers: Collection[str] | None,
    known_skills: Mapping[str, Collection[str]] | None,
) -> m.Flow | None:
    """One flow file; its problems are appended to ``problems`` (None when it cannot be read at all)."""
    r = Reader(path, path.parent, problems)
    kind = _kind_of(path)
    if kind is None:
        r.problem("[file]", "file name must be a center code (ACRC110.toml), default.toml or shared-<number>.toml")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        r.problem("[file]", f"not valid TOML: {exc}")
        return None
    before = len(problems)
    flow = _read_flow(r, path, data, *kind)
    if flow is not None and len(problems) == before:
        problems.extend(check_flow(flow, known_centers, known_skills))
    return flow


def _table(r: Reader, data: Mapping[str, Any], name: str, *, required: bool) -> dict[str, Any] | None:
    table = data.get(name)
    if table is None:
        if required:
            r.problem(f"[{name}]", "section is missing")
        return None
    if not isinstance(table, dict):
        r.problem(f"[{name}]", "must be a table")
        return None
    r.unknown_keys(table, SECTIONS[name], f"[{name}]")
    return table


def _read_flow(r: Reader, path: Path, data: dict[str, Any], kind: m.FlowKind, number: str | None) -> m.Flow | None:
    for key in sorted(set(data) - set(SECTIONS) - {"steps"}):
        r.problem(f"[{key}]", "unknown section")
    is_center = kind is not m.FlowKind.SHARED
    head = _table(r, data, "flow", required=True) or {}
    start = r.step_ref(head, "start", "[flow]")
    fallback = r.step_ref(head, "fallback", "[flow]")
    retry = _read_retry(r, _table(r, data, "retry", required=False) or {})
    steps_table = data.get("steps")
    if not isinstance(steps_table, dict) or not steps_table:
        r.problem("[steps]", "a flow needs at least one step under [steps.<id>]")
        steps_table = {}
    steps: dict[str, m.Step] = {}
    for step_id, table in steps_table.items():
        if not STEP_ID.match(step_id):
            r.problem(f"step '{step_id}'", "step ids are lower case letters, digits, '-' or '_'")
        if not isinstance(table, dict):
            r.problem(f"step '{step_id}'", "must be a table")
            continue
        step = read_step(r, step_id, table, retry, fallback)
        if step is not None:
            steps[step_id] = step
    notice = r.prompt(head, "recording_notice", "[flow]", required=is_center)
    hours_table = _table(r, data, "hours", required=is_center)
    continue_table = _table(r, data, "continue_case", required=False)
    wait_table = _table(r, data, "wait", required=False)
    return m.Flow(
        name=path.stem,
        kind=kind,
        source=path.name,
        start=start,
        fallback=fallback,
        steps=steps,
        retry=retry,
        recording_notice=notice,
        hours=_read_hours(r, hours_table) if hours_table is not None else None,
        continue_case=_read_continue(r, continue_table) if continue_table is not None else None,
        wait=_read_wait(r, wait_table) if wait_table is not None else None,
        max_steps=r.integer(head, "max_steps", "[flow]", 12, 2, 50),
        number=number,
    )


def _read_retry(r: Reader, table: dict[str, Any]) -> m.RetryPolicy:
    where = "[retry]"
    return m.RetryPolicy(
        invalid=r.prompt(table, "invalid", where, required=False) or DEFAULT_RETRY.invalid,
        timeout=r.prompt(table, "timeout", where, required=False) or DEFAULT_RETRY.timeout,
        exhausted=r.prompt(table, "exhausted", where, required=False) or DEFAULT_RETRY.exhausted,
        max_retries=r.integer(table, "max_retries", where, DEFAULT_RETRY.max_retries, 0, 5),
        timeout_s=r.seconds(table, "timeout_s", where, DEFAULT_RETRY.timeout_s),
    )


def _read_hours(r: Reader, table: dict[str, Any]) -> m.HoursPolicy:
    where = "[hours]"
    offer = r.flag(table, "offer_callback", where, False)
    return m.HoursPolicy(
        closed=r.prompt(table, "closed", where) or m.PromptSpec(""),
        holiday=r.prompt(table, "holiday", where) or m.PromptSpec(""),
        goodbye=r.prompt(table, "goodbye", where) or m.PromptSpec(""),
        offer_callback=offer,
        callback_skill=r.skill(table, "callback_skill", where, default="general"),
        callback_offer=r.prompt(table, "callback_offer", where, required=offer),
        callback_confirmed=r.prompt(table, "callback_confirmed", where, required=offer),
    )


def _read_continue(r: Reader, table: dict[str, Any]) -> m.ContinueCasePolicy:
    where = "[continue_case]"
    return m.ContinueCasePolicy(
        intro=r.prompt(table, "intro", where) or m.PromptSpec(""),
        prompt=r.prompt(table, "prompt", where) or m.PromptSpec(""),
        skill=r.skill(table, "skill", where, default="general"),
        priority=r.integer(table, "priority", where, 5, 0, 9),
    )


def _read_wait(r: Reader, table: dict[str, Any]) -> m.WaitPolicy:
    where = "[wait]"
    return m.WaitPolicy(
        callback_threshold_s=r.integer(table, "callback_threshold_s", where, 180, 0, 3600),
        offer=r.prompt(table, "offer", where) or m.PromptSpec(""),
        confirmed=r.prompt(table, "confirmed", where) or m.PromptSpec(""),
    )
