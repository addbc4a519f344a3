"""Labelled texts for the classifiers: JSONL or CSV files (optionally gzipped) read into records.

The text of a record is its title and body only — never the label's neighbours (dates, agree counts, status),
which would leak. A row without a label or without any text, or a line that is not valid JSON, is reported
with its file and line number and skipped; loading never fails on a bad row. Identical texts (and texts that
share a title or a body) are put in one *group*, so cross-validation can keep them in the same fold.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Fields read as the title and as the body, the first one present wins (checked in order, case-insensitive).
TITLE_FIELDS: tuple[str, ...] = ("title", "제목", "subject")
BODY_FIELDS: tuple[str, ...] = ("content", "body", "text", "내용", "본문", "summary", "notes")
#: Fields read as a record's id; without one the id is ``<file>:<line>``.
ID_FIELDS: tuple[str, ...] = ("id", "petition_idx", "sinmungo_id", "case_number", "number")

#: A shared title shorter than this (e.g. "민원") or a shared body shorter than this does not join groups.
_MIN_TITLE_KEY = 10
_MIN_BODY_KEY = 50


class DataError(Exception):
    """A data file cannot be read at all (missing, unknown format, or no usable row)."""


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    body: str
    label: str
    source: str  # "<file>:<line>"

    @property
    def text(self) -> str:
        """Title and body, one paragraph each: what a classifier sees."""
        return join_text(self.title, self.body)


@dataclass(frozen=True)
class RowProblem:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}: {self.reason}"


@dataclass
class Dataset:
    records: list[Record] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.records]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.records]


def join_text(title: str, body: str) -> str:
    return "\n".join(part for part in (title.strip(), body.strip()) if part)


def load(paths: Sequence[Path], label: str) -> Dataset:
    """Every usable row of ``paths`` with ``label`` as its class; problems are collected, not raised."""
    data = Dataset()
    for path in paths:
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        for line, row in _rows(path, data.problems):
            record = _record(path, line, row, label, data.problems)
            if record is not None:
                data.records.append(record)
    return data


def _rows(path: Path, problems: list[RowProblem]) -> Iterator[tuple[int, Mapping[str, object]]]:
    name = path.name.lower().removesuffix(".gz")
    with _open(path) as stream:
        if name.endswith((".jsonl", ".ndjson", ".json")):
            yield from _json_rows(path, stream, problems)
        elif name.endswith((".csv", ".tsv")):
            reader = csv.DictReader(stream, delimiter="\t" if name.endswith(".tsv") else ",")
            start = 2  # the header is line 1; a quoted field may span lines, so take the reader's count
            for row in reader:
                yield start, row
                start = reader.line_num + 1
        else:
            raise DataError(f"{path}: unknown format (expected .jsonl, .json, .csv or .tsv, optionally .gz)")


def _json_rows(path: Path, stream: IO[str], problems: list[RowProblem]) -> Iterator[tuple[int, Mapping[str, object]]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(path, number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(row, dict):
            problems.append(RowProblem(path, number, f"a JSON {type(row).__name__}, not an object"))
            continue
        yield number, row


def _open(path: Path) -> IO[str]:
    try:
        if path.name.lower().endswith(".gz"):
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror})") from exc


def _record(path: Path, line: int, row: Mapping[str, object], label: str, problems: list[RowProblem]) -> Record | None:
    value = _field(row, (label,))
    if not value:
        problems.append(RowProblem(path, line, f"no label (field {label!r} missing or empty)"))
        return None
    title, body = _field(row, TITLE_FIELDS), _field(row, BODY_FIELDS)
    if not title and not body:
        problems.append(RowProblem(path, line, f"no text (none of {', '.join(TITLE_FIELDS + BODY_FIELDS)})"))
        return None
    record_id = _field(row, ID_FIELDS) or f"{path.name}:{line}"
    return Record(id=record_id, title=title, body=body, label=value, source=f"{path.name}:{line}")


def _field(row: Mapping[str, object], names: Sequence[str]) -> str:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None and not isinstance(value, dict | list):
            text = str(value).strip()
            if text:
                return text
    return ""


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form texts are compared in: NFKC, lower case, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def duplicate_groups(records: Sequence[Record]) -> list[int]:
    """A group number per record: records with the same normalised text, title or body share one.

    Reposted petitions often keep the title and change a line of the body (or the reverse); keeping only
    exact copies together would still let near-copies be trained on and tested against each other.
    """
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    for i, record in enumerate(records):
        title, body = normalise(record.title), normalise(record.body)
        keys = [("text", normalise(record.text))]
        if len(title) >= _MIN_TITLE_KEY:
            keys.append(("title", title))
        if len(body) >= _MIN_BODY_KEY:
            keys.append(("body", body))
        for key in keys:
            j = seen.setdefault(key, i)
            if j != i:
                parent[find(i)] = find(j)
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(records))]
