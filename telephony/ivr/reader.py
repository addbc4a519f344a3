"""Typed, problem-collecting access to the tables of a parsed flow file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from telephony.ivr import model as m
from telephony.ivr.errors import FlowProblem

SKILL = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
DTMF_KEYS = frozenset("0123456789*#")

COMMON = {"type", "prompt", "prompt_file"}
STEP_KEYS: dict[str, set[str]] = {
    "menu": COMMON | {"choices", "on_exhausted", "max_retries", "timeout_s"},
    "message": COMMON | {"next"},
    "queue": COMMON | {"skill", "priority", "announce_wait", "offer_callback"},
    "self-service": COMMON
    | {"kind", "item", "next", "on_failure", "not_found", "not_found_file", "failure", "failure_file"},
    "transfer": COMMON | {"center", "step", "queue"},
    "pin-change": COMMON | {"next"},
    "region": COMMON | {"areas", "choices", "on_exhausted", "max_retries", "timeout_s"},
    "hangup": COMMON | {"reason"},
}
SECTIONS: dict[str, set[str]] = {
    "flow": {"start", "fallback", "max_steps", "recording_notice", "recording_notice_file"},
    "retry": {"invalid", "invalid_file", "timeout", "timeout_file", "exhausted", "exhausted_file"}
    | {"max_retries", "timeout_s"},
    "hours": {"closed", "closed_file", "holiday", "holiday_file", "goodbye", "goodbye_file", "offer_callback"}
    | {"callback_skill", "callback_offer", "callback_offer_file", "callback_confirmed", "callback_confirmed_file"},
    "continue_case": {"intro", "intro_file", "prompt", "prompt_file", "skill", "priority"},
    "wait": {"callback_threshold_s", "offer", "offer_file", "confirmed", "confirmed_file"},
}


class Reader:
    """Typed access to one parsed TOML table that records problems instead of raising."""

    def __init__(self, file: Path, base: Path, problems: list[FlowProblem]) -> None:
        self.file, self.base, self.problems = file, base, problems

    def problem(self, where: str, text: str) -> None:
        self.problems.append(FlowProblem(self.file.name, where, text))

    def unknown_keys(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(where, f"unknown setting '{key}'")

    def text(self, table: Mapping[str, Any], key: str, where: str, *, default: str | None = None) -> str | None:
        value = table.get(key, default)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        self.problem(where, f"'{key}' must be a non-empty text")
        return None

    def integer(self, table: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(where, f"'{key}' must be a whole number from {low} to {high}")
            return default
        return value

    def seconds(self, table: Mapping[str, Any], key: str, where: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 60:
            self.problem(where, f"'{key}' must be a number of seconds from 0.5 to 60")
            return default
        return float(value)

    def flag(self, table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, f"'{key}' must be true or false")
            return default
        return value

    def prompt(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> m.PromptSpec | None:
        text = self.text(table, key, where)
        file_name = self.text(table, f"{key}_file", where)
        if text is None and file_name is None:
            if required:
                self.problem(where, f"missing prompt: give '{key}' (text) or '{key}_file' (recording)")
            return None
        path = None
        if file_name is not None:
            path = (self.base / file_name).resolve()
            if not path.is_file():
                self.problem(where, f"prompt file '{file_name}' does not exist (looked for {path})")
        return m.PromptSpec(text or "", path)

    def skill(self, table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not SKILL.match(value):
            self.problem(where, f"'{key}' = {value!r} is not a skill name (lower case, digits, '-'; e.g. 'tax-income')")
            return "general"
        return value

    def step_ref(self, table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            self.problem(where, f"'{key}' must name a step")
            return ""
        return value

    def choices(self, table: Mapping[str, Any], where: str, target_key: str) -> tuple[m.Choice, ...]:
        raw = table.get("choices")
        if not isinstance(raw, list) or not raw:
            self.problem(where, f"'choices' must be a non-empty list like [{{ key = \"1\", {target_key} = ... }}]")
            return ()
        seen: set[str] = set()
        found: list[m.Choice] = []
        for entry in raw:
            if not isinstance(entry, dict) or set(entry) != {"key", target_key}:
                self.problem(where, f"each choice needs exactly 'key' and '{target_key}', got {entry!r}")
                continue
            key, target = entry["key"], entry[target_key]
            if not isinstance(key, str) or len(key) != 1 or key not in DTMF_KEYS:
                self.problem(where, f"DTMF key {key!r} is not one of 0-9, * or #")
                continue
            if key in seen:
                self.problem(where, f"duplicate DTMF key '{key}'")
                continue
            if not isinstance(target, str) or not target:
                self.problem(where, f"key '{key}': '{target_key}' must be a name")
                continue
            seen.add(key)
            found.append(m.Choice(key, target))
        return tuple(found)
