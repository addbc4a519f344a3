"""Posting the dashboards' login form over HTTP as a browser does: the page first (its CSRF token and the
pre-session cookie it sets), then the form with the token."""

from __future__ import annotations

import re
from typing import Any

import requests

from dashboard.csrf import FIELD


def post_login(client: requests.Session, base: str, data: dict[str, str], **options: Any) -> requests.Response:
    page = client.get(f"{base}/dashboard/login", timeout=30)
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found is not None, page.text
    return client.post(f"{base}/dashboard/login", data={**data, FIELD: found.group(1)}, timeout=30, **options)
