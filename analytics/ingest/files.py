"""Text complaints from files: JSONL or CSV, optionally gzip-compressed, one complaint per row.

Fields (aliases in brackets): ``id`` [petition_idx, sinmungo_id, no], ``received_at`` [begin, date,
created_at, 접수일], ``title`` [제목, TITLE], ``body`` [content, 내용, text], and optional ``category``
[분야], ``agency`` [기관], ``region`` [지역], ``citizen_ref``. A row without an id gets one from its
content (so re-reading the file gives the same id). A bad row is reported with its line number and the
reason, and the rest of the file still loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kernel.calendar import SEOUL

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "petition_idx", "sinmungo_id", "no", "번호"),
    "received_at": ("received_at", "begin", "date", "created_at", "접수일", "접수일시"),
    "title": ("title", "제목", "TITLE"),
    "body": ("body", "content", "내용", "text", "본문"),
    "category": ("category", "분야", "분류"),
    "agency": ("agency", "기관", "처리기관"),
    "region": ("region", "지역"),
    "citizen_ref": ("citizen_ref",),
}
MAX_TEXT = 100_000


@dataclass(frozen=True)
class RawComplaint:
    item_id: str
    received_at: dt.datetime
    title: str
    body: str
    category: str | None = None
    agency: str | None = None
    region: str | None = None
    citizen_ref: str | None = None


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


def read_complaints(path: Path, start_line: int = 0) -> Iterator[tuple[int, RawComplaint | RowError]]:
    """(line number, complaint or error) for every row after ``start_line`` (1-based; CSV header is line 1)."""
    with _open(path) as handle:
        if _is_jsonl(path):
            for number, line in enumerate(handle, start=1):
                if number <= start_line or not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as error:
                    yield number, RowError(number, f"not JSON: {error}")
                    continue
                if not isinstance(row, dict):
                    yield number, RowError(number, "a row must be a JSON object")
                    continue
                yield number, complaint_from(number, row)
        else:
            reader = csv.DictReader(handle)
            for row in reader:
                number = reader.line_num
                if number <= start_line:
                    continue
                yield number, complaint_from(number, {k: v for k, v in row.items() if k is not None})


def complaint_from(line: int, row: dict[str, Any]) -> RawComplaint | RowError:
    """One row (or feed item) as a complaint, or why it is refused."""
    values = {name: _first(row, names) for name, names in ALIASES.items()}
    title, body = values["title"] or "", values["body"] or ""
    if not title.strip() and not body.strip():
        return RowError(line, "neither a title nor a body")
    if len(title) + len(body) > MAX_TEXT:
        return RowError(line, f"longer than {MAX_TEXT} characters")
    when = _parse_time(values["received_at"])
    if when is None:
        return RowError(line, f"no valid received time ({values['received_at']!r})")
    item_id = values["id"] or hashlib.sha256(f"{title}\n{body}\n{when.isoformat()}".encode()).hexdigest()[:20]
    return RawComplaint(item_id.strip(), when, title.strip(), body.strip(), values["category"] or None,
                        values["agency"] or None, values["region"] or None, values["citizen_ref"] or None)  # fmt: skip


def _first(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value)
    return None


def _parse_time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    text = text.strip().replace("/", "-").replace(".", "-")
    for parse in (dt.datetime.fromisoformat, lambda t: dt.datetime.combine(dt.date.fromisoformat(t[:10]), dt.time(9))):
        try:
            moment = parse(text)
        except ValueError:
            continue
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=SEOUL)
    return None


def _is_jsonl(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".jsonl", ".json", ".ndjson"))


def _open(path: Path) -> TextIO:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")
