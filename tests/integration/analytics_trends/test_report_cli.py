"""``sori report`` writes a self-contained Korean HTML report; headless Chromium renders its charts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kernel.calendar import SEOUL
from tests.support.trend_index import build_index

pytestmark = pytest.mark.integration
SORI = str(Path(sys.executable).with_name("sori"))


def test_sori_report_writes_a_korean_html_report_whose_charts_render(tmp_path: Path) -> None:
    state = tmp_path / "state"
    build_index(state / "analytics" / "search.db")
    out = tmp_path / "report.html"
    done = subprocess.run([SORI, "report", "--from", "2026-03-01", "--to", "2026-03-30", "--out", str(out),
                           "--state-dir", str(state)], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "민원 동향 보고서 2026-03-01 ~ 2026-03-30" in page and "급증 키워드" in page and "재난지원금" in page
    assert "&lt;b&gt;" in page and "<b>1</b>" not in page, "texts are escaped"
    assert "<script src=" not in page and "<link" not in page, "self-contained: plotly.js is inlined"
    assert "상담 연속성 (전화 상담" not in page, "no case store in this state directory: no continuity section"
    chromium = shutil.which("chromium")
    assert chromium is not None, "Debian's chromium is installed by ./dev test"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=8000", "--dump-dom",
         out.as_uri()], capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert dom.count('class="main-svg"') >= 4, "plotly drew the charts in the browser"


def test_the_report_reads_continuity_from_the_case_store_and_not_for_text_only(tmp_path: Path) -> None:
    state = tmp_path / "state"
    seeded = subprocess.run([SORI, "seed", "--demo", "--state-dir", str(state)], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    build_index(state / "analytics" / "search.db")
    today = dt.datetime.now(SEOUL).date()
    out = tmp_path / "report.html"
    base = [SORI, "report", "--from", str(today - dt.timedelta(days=30)), "--to", str(today), "--state-dir", str(state)]
    done = subprocess.run([*base, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "상담 연속성 (전화 상담" in page and "최초 상담 해결률 (FCR)" in page and "반복 상담 (7일 이내)" in page
    match = re.search(r"<td>전화 상담</td><td>([0-9,]+)건", page)
    assert match is not None and int(match.group(1).replace(",", "")) > 0, "the demo's calls of the last 30 days"
    text_only = subprocess.run([*base, "--channel", "text", "--out", str(out)], capture_output=True, text=True,
                               timeout=120)  # fmt: skip
    assert text_only.returncode == 0 and "상담 연속성 (전화 상담" not in out.read_text(encoding="utf-8")


def test_sori_report_refuses_a_reversed_period_and_a_missing_index(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    base = [SORI, "report", "--out", str(out), "--state-dir", str(tmp_path / "state")]
    missing = subprocess.run([*base, "--from", "2026-03-01", "--to", "2026-03-02"], capture_output=True, text=True)
    assert missing.returncode == 2 and "no analytics index" in missing.stderr
    reversed_ = subprocess.run([*base, "--from", "2026-03-05", "--to", "2026-03-01"], capture_output=True, text=True)
    assert reversed_.returncode == 2 and "before" in reversed_.stderr
    bad = subprocess.run([*base, "--from", "2026-13-01", "--to", "2026-03-01"], capture_output=True, text=True)
    assert bad.returncode == 2 and "is not a date" in bad.stderr
    assert not out.exists()
