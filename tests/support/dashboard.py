"""Driving the analyst dashboard over plain HTTP, as its browser page does: the report callback's request
(Dash's documented ``_dash-update-component`` shape) and the total it answers."""

from __future__ import annotations

import json
import re
from typing import Any

import requests


def callback_body(channel: str = "all", start: str = "2026-03-01", end: str = "2026-03-30") -> dict[str, object]:
    """What the browser posts for the report callback."""
    return {
        "output": "..report.children...download.href..",
        "outputs": [{"id": "report", "property": "children"}, {"id": "download", "property": "href"}],
        "inputs": [{"id": "run", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["run.n_clicks"],
        "state": [{"id": "period", "property": "start_date", "value": start},
                  {"id": "period", "property": "end_date", "value": end},
                  {"id": "center", "property": "value", "value": None},
                  {"id": "channel", "property": "value", "value": channel}],
    }  # fmt: skip


def report_total(answer: Any) -> int | None:
    """The ``전체 N건`` of a report callback's answer; None when the report area holds a message instead."""
    found = re.search(r'"children": "전체 ([0-9,]+)건", "id": "total"', json.dumps(answer, ensure_ascii=False))
    return int(found.group(1).replace(",", "")) if found else None


def post_report(client: requests.Session, base: str, body: dict[str, object]) -> Any:
    reply = client.post(f"{base}/dashboard/analytics/_dash-update-component", json=body, timeout=120)
    assert reply.status_code == 200, reply.text
    return reply.json()
