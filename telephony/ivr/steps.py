"""Parsing of the ``[steps.<id>]`` tables of a flow file into step objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel.centers import CENTER_CODE
from telephony.ivr import model as m
from telephony.ivr.reader import STEP_KEYS, Reader


def read_step(r: Reader, step_id: str, table: Mapping[str, Any], retry: m.RetryPolicy, fallback: str) -> m.Step | None:
    """One step, or None (with problems recorded) when it cannot be read at all."""
    where = f"step '{step_id}'"
    kind = table.get("type")
    if kind not in STEP_KEYS:
        r.problem(where, f"unknown step type {kind!r} (use one of: {', '.join(STEP_KEYS)})")
        return None
    r.unknown_keys(table, STEP_KEYS[kind], where)
    if kind in ("menu", "region"):
        prompt = r.prompt(table, "prompt", where) or m.PromptSpec("")
        on_exhausted = r.step_ref(table, "on_exhausted", where, default=fallback)
        retries = r.integer(table, "max_retries", where, retry.max_retries, 0, 5)
        timeout_s = r.seconds(table, "timeout_s", where, retry.timeout_s)
        if kind == "menu":
            return m.MenuStep(step_id, prompt, r.choices(table, where, "goto"), on_exhausted, retries, timeout_s)
        areas = table.get("areas", {})
        if not isinstance(areas, dict) or not all(isinstance(v, str) for v in areas.values()):
            r.problem(where, '\'areas\' must map area codes to center codes, e.g. { "02" = "SEOUL120" }')
            areas = {}
        for area, center in areas.items():
            if not area.isdigit() or not CENTER_CODE.match(center):
                r.problem(where, f"area {area!r} → {center!r}: expected digits → center code")
        choices = r.choices(table, where, "center")
        for choice in choices:
            if not CENTER_CODE.match(choice.target):
                r.problem(where, f"key '{choice.key}': {choice.target!r} is not a center code")
        return m.RegionStep(step_id, prompt, dict(areas), choices, on_exhausted, retries, timeout_s)
    if kind == "message":
        prompt = r.prompt(table, "prompt", where) or m.PromptSpec("")
        return m.MessageStep(step_id, prompt, r.step_ref(table, "next", where))
    if kind == "queue":
        return m.QueueStep(
            step_id,
            r.skill(table, "skill", where),
            r.integer(table, "priority", where, 0, 0, 9),
            r.prompt(table, "prompt", where, required=False),
            r.flag(table, "announce_wait", where, True),
            r.flag(table, "offer_callback", where, True),
        )
    if kind == "self-service":
        service = table.get("kind")
        if service not in m.SELF_SERVICE_KINDS:
            r.problem(where, f"self-service kind {service!r} is not one of {', '.join(m.SELF_SERVICE_KINDS)}")
        return m.SelfServiceStep(
            step_id,
            str(service),
            r.text(table, "item", where) or _missing(r, where, "item"),
            r.step_ref(table, "next", where),
            r.step_ref(table, "on_failure", where, default=fallback),
            r.prompt(table, "prompt", where, required=False),
            r.prompt(table, "not_found", where, required=False),
            r.prompt(table, "failure", where, required=False),
        )
    if kind == "pin-change":
        return m.PinChangeStep(
            step_id, r.step_ref(table, "next", where), r.prompt(table, "prompt", where, required=False)
        )
    if kind == "transfer":
        center = table.get("center")
        if not isinstance(center, str) or not CENTER_CODE.match(center):
            r.problem(where, f"transfer 'center' = {center!r} is not a center code")
            center = ""
        to_step = r.text(table, "step", where)
        queue = r.skill(table, "queue", where) if "queue" in table else None
        if to_step is not None and queue is not None:
            r.problem(where, "a transfer goes to a 'step' or a 'queue' of the other center, not both")
        return m.TransferStep(step_id, center, to_step, queue, r.prompt(table, "prompt", where, required=False))
    prompt = r.prompt(table, "prompt", where) or m.PromptSpec("")
    return m.HangupStep(step_id, prompt, r.text(table, "reason", where, default="completed") or "completed")


def _missing(r: Reader, where: str, key: str) -> str:
    r.problem(where, f"'{key}' is required")
    return ""
