"""The accessibility check of the browser tests: axe-core (4.4.3, MPL-2.0, as the ``axe-core-python`` wheel bundles
it; nothing fetched at run time) run in the page through WebDriver, which is not subject to the page's CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import axe_core_python
from selenium import webdriver

AXE = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = frozenset({"serious", "critical"})


def violations(browser: webdriver.Chrome, impacts: frozenset[str] = BLOCKING) -> list[dict[str, Any]]:
    """axe's violations of the page as it stands (WCAG 2.1 A and AA rules and best practices) at ``impacts``."""
    browser.execute_script(AXE)
    result: dict[str, Any] = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r), e => done({error: String(e)}));"
    )
    assert "error" not in result, result.get("error")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def summary(found: list[dict[str, Any]]) -> str:
    """One line per violation: its rule, impact and the first offending elements (for an assertion's message)."""
    return "\n".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in found)
