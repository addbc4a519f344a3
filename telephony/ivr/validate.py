"""Whole-flow checks run after a flow file parsed cleanly: references, reachability, exits, targets.

Per-field checks (types, DTMF keys, missing prompts, prompt files) happen while reading; these
checks need the whole step graph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from telephony.ivr import model as m
from telephony.ivr.errors import FlowProblem


def edges(step: m.Step) -> Iterator[tuple[str, str]]:
    """(label, target step id) of every way out of ``step`` inside the flow."""
    if isinstance(step, m.MenuStep):
        for choice in step.choices:
            yield f"key '{choice.key}'", choice.target
        yield "on_exhausted", step.on_exhausted
    elif isinstance(step, m.RegionStep):
        yield "on_exhausted", step.on_exhausted
    elif isinstance(step, m.MessageStep | m.PinChangeStep):
        yield "next", step.next
    elif isinstance(step, m.SelfServiceStep):
        yield "next", step.next
        yield "on_failure", step.on_failure


def check_flow(
    flow: m.Flow,
    known_centers: Collection[str] | None = None,
    known_skills: Mapping[str, Collection[str]] | None = None,
) -> list[FlowProblem]:
    """Every graph-level problem of ``flow``."""
    problems: list[FlowProblem] = []

    def problem(where: str, text: str) -> None:
        problems.append(FlowProblem(flow.source, where, text))

    for label, target in (("start", flow.start), ("fallback", flow.fallback)):
        if target not in flow.steps:
            problem("[flow]", f"'{label}' refers to unknown step '{target}'")
    fallback = flow.steps.get(flow.fallback)
    if fallback is not None and not isinstance(fallback, m.QueueStep | m.TransferStep | m.HangupStep):
        problem("[flow]", f"fallback step '{flow.fallback}' must be a queue, transfer or hangup step")
    for step in flow.steps.values():
        for label, target in edges(step):
            if target not in flow.steps:
                problem(f"step '{step.id}'", f"{label} refers to unknown step '{target}'")
    if problems:
        return problems  # reachability and exits are meaningless with dangling references
    reachable = _reachable(flow, {flow.start, flow.fallback})
    for step_id in flow.steps:
        if step_id not in reachable:
            problem(f"step '{step_id}'", "unreachable: no path from the start step leads here")
    stuck = _without_exit(flow)
    for step_id in sorted(stuck & reachable):
        problem(f"step '{step_id}'", "loop without exit: no path from here reaches a queue, transfer or hangup")
    problems.extend(_check_targets(flow, known_centers, known_skills))
    return problems


def _reachable(flow: m.Flow, roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in flow.steps:
            continue
        seen.add(step_id)
        todo.extend(target for _, target in edges(flow.steps[step_id]))
    return seen


def _without_exit(flow: m.Flow) -> set[str]:
    """Steps from which no terminal step can be reached, whatever the caller keys."""
    can_exit = {step_id for step_id, step in flow.steps.items() if isinstance(step, m.TERMINAL_STEPS)}
    changed = True
    while changed:
        changed = False
        for step_id, step in flow.steps.items():
            if step_id not in can_exit and any(target in can_exit for _, target in edges(step)):
                can_exit.add(step_id)
                changed = True
    return set(flow.steps) - can_exit


def _check_targets(
    flow: m.Flow, known_centers: Collection[str] | None, known_skills: Mapping[str, Collection[str]] | None
) -> Iterator[FlowProblem]:
    for step in flow.steps.values():
        where = f"step '{step.id}'"
        centers: list[str] = []
        if isinstance(step, m.TransferStep):
            centers.append(step.center)
        elif isinstance(step, m.RegionStep):
            centers.extend(choice.target for choice in step.choices)
            centers.extend(step.areas.values())
        if known_centers is not None:
            for center in centers:
                if center not in known_centers:
                    yield FlowProblem(flow.source, where, f"unknown center '{center}'")
        if known_skills is None:
            continue
        if isinstance(step, m.QueueStep) and flow.kind is m.FlowKind.CENTER:
            skills = known_skills.get(flow.name, ())
            if step.skill not in skills:
                yield FlowProblem(flow.source, where, f"unknown skill '{step.skill}' for center {flow.name}")
        if (
            isinstance(step, m.TransferStep)
            and step.queue is not None
            and step.queue not in known_skills.get(step.center, ())
        ):
            yield FlowProblem(flow.source, where, f"unknown skill '{step.queue}' for center {step.center}")
