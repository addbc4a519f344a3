"""The demo's text complaints on a fresh clone: the bundled CC0 petitions sample ships in the package, reads
cleanly, and ``sori up --demo`` falls back to it when ``../shared/data`` is not beside the repository."""

from __future__ import annotations

import fnmatch
import gzip
import re
import tomllib
from pathlib import Path

import pytest

from analytics.ingest.files import RawComplaint, read_complaints
from sori.config import load_settings
from sori.runtime import indexer_service
from sori.seed import petitions
from sori.seed.petitions import BUNDLED_SAMPLE, demo_complaint_files

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LOVIT = "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz"


def test_the_bundled_sample_is_real_korean_petitions_under_2_mb_with_its_notice() -> None:
    assert BUNDLED_SAMPLE.stat().st_size < 2_000_000
    rows = [row for _, row in read_complaints(BUNDLED_SAMPLE)]
    complaints = [row for row in rows if isinstance(row, RawComplaint)]
    assert len(rows) == len(complaints) == 1600
    assert len({c.category for c in complaints}) == 17 and len({c.item_id for c in complaints}) == 1600
    assert sum(1 for c in complaints if re.search("[가-힣]", c.title + c.body)) >= 1590  # a few are in English
    notice = BUNDLED_SAMPLE.with_name("PETITIONS.md").read_text()
    assert "CC0" in notice and "lovit" in notice and "random.Random(2026)" in notice
    shared = petitions.shared_data_dir() / LOVIT
    if shared.is_file():  # every line is one of the source's lines, unchanged
        with (
            gzip.open(shared, "rt", encoding="utf-8") as full,
            gzip.open(BUNDLED_SAMPLE, "rt", encoding="utf-8") as some,
        ):
            source = set(full)
            assert all(line in source for line in some)


def test_the_sample_ships_in_the_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = data.get("sori.seed", []) + data.get("*", [])
    for name in (BUNDLED_SAMPLE.name, "PETITIONS.md"):
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_demo_files_are_the_configured_then_the_shared_then_the_bundled(tmp_path: Path) -> None:
    nowhere = tmp_path / "no-shared"
    assert demo_complaint_files(None, nowhere).files == (BUNDLED_SAMPLE,)
    assert demo_complaint_files([], nowhere).files == (), "an empty list is none at all"
    shared = tmp_path / "shared" / "data"
    shared.mkdir(parents=True)
    (shared / LOVIT).write_bytes(b"")
    assert demo_complaint_files(None, shared).files == ((shared / LOVIT).absolute(),)
    mine = tmp_path / "mine.jsonl"
    mine.write_text("")
    chosen = demo_complaint_files([mine, tmp_path / "gone.jsonl"], shared)
    assert (chosen.origin, chosen.files, chosen.missing) == ("configured", (mine,), (tmp_path / "gone.jsonl",))
    fallback = demo_complaint_files([tmp_path / "gone.jsonl"], nowhere)
    assert (fallback.origin, fallback.files) == ("bundled", (BUNDLED_SAMPLE,))


def test_sori_up_demo_indexes_the_bundled_sample_without_shared_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SORI_ANALYTICS__DEMO_FILES", raising=False)
    settings = load_settings(state_dir=tmp_path / "state")
    monkeypatch.setattr(petitions, "shared_data_dir", lambda: tmp_path / "no-shared")
    assert indexer_service(settings, reactor=None, demo=True).argv[-1] == str(BUNDLED_SAMPLE)
    monkeypatch.setattr(petitions, "shared_data_dir", lambda: ROOT.parent / "shared" / "data")
    if (ROOT.parent / "shared" / "data" / LOVIT).is_file():
        argv = indexer_service(settings, reactor=None, demo=True).argv
        assert str(BUNDLED_SAMPLE) not in argv and any(arg.endswith(LOVIT) for arg in argv)
    assert not any(arg.endswith(".gz") for arg in indexer_service(settings, reactor=None, demo=False).argv)


def test_dev_up_installs_sipp() -> None:
    script = (ROOT / "dev").read_text()
    system = re.search(r"^SYSTEM_DEBS=\(([^)]*)\)", script, re.M)
    assert system is not None and "sip-tester" in system.group(1).split()
