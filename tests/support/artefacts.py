"""Where browser tests keep their screenshots: ``$SORI_TEST_ARTEFACTS`` or ``var/test-artefacts/`` in the checkout
(ignored by git; the README's pictures are copies of these, committed under ``docs/images/``)."""

from __future__ import annotations

import os
from pathlib import Path

from selenium import webdriver

ROOT = Path(__file__).resolve().parents[2]


def artefact_dir() -> Path:
    folder = Path(os.environ.get("SORI_TEST_ARTEFACTS") or ROOT / "var" / "test-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(browser: webdriver.Chrome, name: str) -> Path:
    """Save the browser's viewport as ``<name>.png`` among the artefacts; the path, for the test's message."""
    path = artefact_dir() / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"no screenshot {path}"
    return path
