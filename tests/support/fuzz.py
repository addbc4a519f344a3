"""Reading a schemathesis run: every distinct failure with the request that shows it (shared by the fuzz
suites of the API and of the reference service)."""

from __future__ import annotations

import time
from collections import Counter

import schemathesis
from schemathesis.engine import StopReason, events
from schemathesis.engine.core import EventStream

# An uploaded PDF (the certificate check) is sent as the bytes schemathesis generates.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")


def failures(stream: EventStream, deadline: float) -> tuple[list[str], Counter[str], int]:
    """Every distinct failure (check, operation, title) with a request that shows it, requests sent, by check."""
    found: dict[tuple[str, str, str], str] = {}
    per_check: Counter[str] = Counter()
    sent = 0
    errors: list[str] = []
    for event in stream:
        if time.monotonic() > deadline:
            stream.stop()
        if isinstance(event, events.ScenarioFinished):
            sent += len(event.recorder.interactions)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (check.name, event.recorder.label, failure.title)
                    if key not in found:
                        per_check[check.name] += 1
                        response = event.recorder.find_response(case_id=case_id)
                        answer = f"{response.status_code} {response.text[:300]}" if response is not None else "-"
                        found[key] = (
                            f"{check.name} · {event.recorder.label} · {failure.title}: {failure.message}\n"
                            f"{check.failure_info.code_sample}\n→ {answer}"
                        )
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            assert event.stop_reason == StopReason.COMPLETED, f"schemathesis stopped early: {event.stop_reason}"
    return [*found.values(), *errors], per_check, sent
