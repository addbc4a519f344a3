"""The ingest pipeline: raw complaints → masked, tokenised documents → the index, in batches.

Masking comes first: the index, the tokens and every later view see only masked text. Tokenising is the
slow step (Kiwi, about 110 complaints/s per core), so batches can go to worker processes, each with its
own Kiwi. After each batch is in the index, a checkpoint records the file's last line: a run that stops
resumes there (as long as the file is unchanged), and ids make a full re-run add nothing twice.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.documents import DocChannel, Document
from analytics.ingest.files import RawComplaint, RowError, complaint_from, read_complaints
from analytics.pii import mask
from analytics.search.port import SearchIndex
from analytics.text import shared_tokenizer
from crm.door.ports import ChangeCursor, PhoneContact, PhoneContacts

if TYPE_CHECKING:
    from integrations.sinmungo.port import ComplaintFeed

#: (masked text, its tokens) of each item of a batch → (category, agency), e.g. ``Classifier.batch_suggester``
Suggest = Callable[[Sequence[tuple[str, Sequence[str]]]], list[tuple[str | None, str | None]]]


@dataclass
class IngestReport:
    read: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    resumed_from: int = 0


Prepared = tuple[str, str, tuple[str, ...]]  # masked title, masked body, tokens


def prepare(items: list[RawComplaint]) -> list[Prepared]:
    """Masked title, masked body and tokens of each item (runs in a worker process or in-line)."""

    tokenizer = shared_tokenizer()
    out = []
    for item in items:
        title, body = mask(item.title).text, mask(item.body).text
        out.append((title, body, tuple(tokenizer.tokens(f"{title}\n{body}"))))
    return out


def to_documents(items: list[RawComplaint], prepared: Iterable[tuple[str, str, tuple[str, ...]]], source: str,
                 suggest: Suggest | None) -> list[Document]:  # fmt: skip
    prepared = list(prepared)
    texts = [(f"{title}\n{body}", tokens) for title, body, tokens in prepared]
    suggestions = suggest(texts) if suggest is not None else [(None, None)] * len(texts)
    docs = []
    for item, (title, body, tokens), (category, agency) in zip(items, prepared, suggestions, strict=True):
        docs.append(Document(
            doc_id=f"{source}:{item.item_id}", channel=DocChannel.TEXT, received_at=item.received_at, title=title,
            body=body, tokens=tokens, source=source, category=item.category, suggested_category=category,
            agency=item.agency or agency, region=item.region,
        ))  # fmt: skip
    return docs


class Checkpoints:
    """The last line ingested per file, valid while the file's size and modification time are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, dict[str, float]] = json.loads(path.read_text()) if path.exists() else {}

    def start_line(self, file: Path) -> int:
        entry = self._data.get(str(file.resolve()))
        stat = file.stat()
        if entry and entry["size"] == stat.st_size and entry["mtime"] == stat.st_mtime:
            return int(entry["line"])
        return 0

    def cursor(self, key: str) -> int:
        """A named position (e.g. the last interaction id read from the case store)."""
        return int(self._data.get(key, {}).get("line", 0))

    def save_cursor(self, key: str, value: int) -> None:
        self._data[key] = {"size": 0, "mtime": 0, "line": value}
        self._write()

    def text(self, key: str) -> str:
        """A named opaque position (a feed's cursor)."""
        return str(self._data.get(key, {}).get("cursor", ""))

    def save_text(self, key: str, value: str) -> None:
        self._data[key] = {"cursor": value}  # type: ignore[dict-item]
        self._write()

    def save(self, file: Path, line: int) -> None:
        stat = file.stat()
        self._data[str(file.resolve())] = {"size": stat.st_size, "mtime": stat.st_mtime, "line": line}
        self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data, ensure_ascii=False, indent=1))
        os.replace(tmp, self.path)


def ingest_file(
    path: Path,
    index: SearchIndex,
    *,
    source: str,
    checkpoints: Checkpoints,
    workers: int = 1,
    batch: int = 200,
    suggest: Suggest | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest one file; returns counts and the rows refused (with line numbers and reasons)."""
    report = IngestReport(resumed_from=checkpoints.start_line(path))
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    # With worker processes, the next batch is tokenised while this one is classified and indexed; batches
    # still reach the index and the checkpoint in file order.
    inflight: deque[tuple[int, list[RawComplaint], list[Future[list[Prepared]]]]] = deque()

    def finish() -> None:
        last_line, items, work = inflight.popleft()
        prepared = [row for part in work for row in part.result()]
        if items:
            report.written += index.upsert(to_documents(items, prepared, source, suggest))
        checkpoints.save(path, last_line)
        if progress is not None:
            progress(len(items))

    try:
        for last_line, items in _batches(read_complaints(path, report.resumed_from), batch, report):
            if pool is not None:
                size = max(1, -(-len(items) // workers))
                inflight.append((last_line, items, [pool.submit(prepare, items[i : i + size])
                                                    for i in range(0, len(items), size)]))  # fmt: skip
                if len(inflight) > 1:
                    finish()
            else:
                done: Future[list[Prepared]] = Future()
                done.set_result(prepare(items) if items else [])
                inflight.append((last_line, items, [done]))
                finish()
        while inflight:
            finish()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def _batches(rows: Iterator[tuple[int, RawComplaint | RowError]], size: int,
             report: IngestReport) -> Iterator[tuple[int, list[RawComplaint]]]:  # fmt: skip
    items: list[RawComplaint] = []
    last = report.resumed_from
    for line, row in rows:
        last = line
        report.read += 1
        if isinstance(row, RowError):
            report.errors.append(row)
        else:
            items.append(row)
        if len(items) >= size:
            yield last, items
            items = []
    if items or last > report.resumed_from:
        yield last, items


CASE_STORE = "case-store:changes"  # the ChangeCursor of the last contact indexed


def ingest_case_store(
    contacts: PhoneContacts,
    index: SearchIndex,
    *,
    checkpoints: Checkpoints,
    suggest: Suggest | None = None,
    batch: int = 500,
) -> IngestReport:
    """Phone contacts stored or changed (notes at wrap-up, a transcript) since the last run, in the order the
    store committed them: masked, tokenised, indexed (a changed contact replaces its document)."""
    cursor = ChangeCursor.parse(checkpoints.text(CASE_STORE))
    report = IngestReport(resumed_from=cursor.seq)
    while True:
        changed, cursor = contacts.changed_since(cursor, batch)
        if not changed:
            return report
        report.read += len(changed)
        report.written += index.upsert(_phone_documents(changed, suggest))
        checkpoints.save_text(CASE_STORE, cursor.text())


def _phone_documents(contacts: list[PhoneContact], suggest: Suggest | None) -> list[Document]:

    tokenizer = shared_tokenizer()
    texts = [mask(contact.text).text for contact in contacts]
    tokens = [tuple(tokenizer.tokens(text)) for text in texts]
    pairs = list(zip(texts, tokens, strict=True))
    suggestions = suggest(pairs) if suggest is not None else [(None, None)] * len(texts)
    docs = []
    for contact, text, words, (category, agency) in zip(contacts, texts, tokens, suggestions, strict=True):
        title = text.split("\n", 1)[0][:80]
        docs.append(Document(
            doc_id=f"call:{contact.interaction_id}", channel=DocChannel.PHONE, received_at=contact.received_at,
            title=title, body=text, tokens=words, source="case-store",
            category=contact.category, suggested_category=category, agency=agency, center=contact.center,
            region=contact.region, age_band=contact.age_band, sex=contact.sex,
        ))  # fmt: skip
    return docs


def ingest_feed(
    feed: ComplaintFeed,
    index: SearchIndex,
    *,
    source: str,
    checkpoints: Checkpoints,
    page_size: int = 200,
    suggest: Suggest | None = None,
) -> IngestReport:
    """Everything the live feed has after the saved cursor; the cursor moves only after a page is indexed."""
    key = f"feed:{source}"
    cursor = checkpoints.text(key)
    report = IngestReport()
    while True:
        page = feed.fetch(cursor, page_size)
        items = []
        for n, raw in enumerate(page.items, start=report.read + 1):
            row = complaint_from(n, raw) if isinstance(raw, dict) else RowError(n, "an item must be a JSON object")
            if isinstance(row, RowError):
                report.errors.append(row)
            else:
                items.append(row)
        report.read += len(page.items)
        if items:
            report.written += index.upsert(to_documents(items, prepare(items), source, suggest))
        cursor = page.next_cursor
        checkpoints.save_text(key, cursor)
        if not page.more or not page.items:
            return report
