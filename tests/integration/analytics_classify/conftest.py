"""The shared 청와대 petitions as test data: stratified subsets written as JSONL, and one model trained on
a subset for the whole session (the texts are cut short so Kiwi and the character n-grams stay quick)."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from analytics.classify.cli import train
from tests.support.shared import shared_dir

Row = dict[str, Any]
PETITIONS_2020 = "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz"  # 8,859
PETITIONS_2017_2019 = "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz"  # 3,691
BODY_CHARS = 300  # enough to classify, short enough for a quick test


@pytest.fixture(scope="session")
def petitions() -> list[Row]:
    """The 2020 petitions (8,859), as read from the shared data."""
    with gzip.open(shared_dir() / "data" / PETITIONS_2020, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def stratified(rows: Iterable[Row], per_class: int, seed: int, exclude: Collection[str] = ()) -> list[Row]:
    """Up to ``per_class`` rows of each category, drawn at random, none whose id is in ``exclude``."""
    excluded = set(exclude)
    by_class: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row["petition_idx"] not in excluded:
            by_class[row["category"]].append(row)
    rng = random.Random(seed)
    chosen = [r for members in by_class.values() for r in rng.sample(members, min(per_class, len(members)))]
    rng.shuffle(chosen)
    return chosen


def short(row: Row) -> Row:
    return {"petition_idx": row["petition_idx"], "category": row["category"], "title": row["title"],
            "content": (row["content"] or "")[:BODY_CHARS], "begin": row["begin"]}  # fmt: skip


def write_jsonl(path: Path, rows: Iterable[Row], extra_lines: Iterable[str] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Trained:
    rows: list[Row]  # the training rows
    exit_code: int
    stdout: str
    stderr: str
    summary: dict[str, Any]  # the last line of stdout
    model_dir: Path
    name: str


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, petitions: list[Row]) -> Trained:
    """``train`` (the function behind ``sori analytics train``) on ~1,400 petitions, 90 per category at most."""
    directory = tmp_path_factory.mktemp("classify")
    rows = [short(r) for r in stratified(petitions, 90, seed=1)]
    data = write_jsonl(directory / "petitions.jsonl", rows)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = train([data], "category", "petitions", 5, [], directory / "models")
    lines = out.getvalue().strip().splitlines()
    summary = json.loads(lines[-1]) if code == 0 else {}
    return Trained(rows, code, out.getvalue(), err.getvalue(), summary, directory / "models", "petitions")
