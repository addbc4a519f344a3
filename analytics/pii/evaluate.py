"""``sori analytics pii-eval``: span-level recall and precision of the PII masker on a labelled JSONL sample.

Each sample line is ``{"text": ..., "spans": [{"start", "end", "kind"}], "source": ...}``. The default sample ships
with the package (``analytics/pii/data/pii_sample.jsonl``): windows of real 청와대 국민청원 petitions labelled by
hand (``source`` starts with ``real:`` and names the petition), and real petition sentences with fictional,
randomly generated PII or a false-positive trap (1588 numbers, dates, case numbers, 님 titles …) inserted at
known offsets (``source`` starts with ``synthetic:``).

Matching rule: a labelled span is *found* when a predicted span of the same kind overlaps it by at least one
character; a predicted span is *correct* when it overlaps a labelled span of the same kind. Recall is found /
labelled, precision is correct / predicted, per kind and overall (summed over kinds). Overlap rather than exact
boundaries, because what matters is that the personal data is hidden: ``02)2640-5057`` labelled and
``2640-5057`` predicted would leak only the area code. Exact-boundary recall and "masked recall" (the labelled
span overlapped by a prediction of any kind) are reported alongside.

Malformed lines are reported on stderr with their line number and skipped. The output ends with one JSON line;
the exit status is 1 when phone or 주민등록번호 recall is below 0.95 (or cannot be measured), 2 when the sample
cannot be read, else 0. Misses and false positives are listed by line number only, never by their text.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from analytics.pii.corpus import resolver
from analytics.pii.mask import KINDS, PiiKind, PiiSpan, find_pii

TARGET_RECALL = 0.95
TARGET_KINDS: tuple[PiiKind, ...] = ("phone", "rrn")
KOREAN: dict[str, str] = {
    "phone": "전화번호",
    "rrn": "주민등록번호",
    "email": "이메일",
    "card": "카드번호",
    "account": "계좌번호",
    "name": "이름",
    "address": "상세주소",
    "overall": "전체",
}


@dataclass(frozen=True)
class Example:
    line: int
    text: str
    spans: tuple[PiiSpan, ...]


@dataclass
class Tally:
    """Counts for one kind: labelled spans found (of ``gold``) and predictions that hit one (of ``predicted``)."""

    gold: int = 0
    found: int = 0
    exact: int = 0
    masked: int = 0
    predicted: int = 0
    correct: int = 0
    missed_lines: list[int] = field(default_factory=list)
    false_lines: list[int] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("gold", "found", "exact", "masked", "predicted", "correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def parse_sample(
    lines: Iterable[bytes], resolve: Callable[[Mapping[str, Any]], str] | None = None
) -> tuple[list[Example], list[str]]:
    """The valid examples and one message per malformed line (``line N: why``); blank lines are ignored.

    A line with a ``ref`` (a real petition, see ``analytics.pii.corpus``) needs ``resolve`` for its text."""
    examples: list[Example] = []
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            examples.append(_example(number, raw, resolve))
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
    return examples, problems


def _example(number: int, raw: bytes, resolve: Callable[[Mapping[str, Any]], str] | None = None) -> Example:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if isinstance(record.get("ref"), dict):
        if resolve is None:
            raise ValueError("a real petition's text needs the shared corpus, which is not on this machine")
        try:
            record["text"] = resolve(record["ref"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad reference ({exc})") from None
    text, raw_spans = record.get("text"), record.get("spans")
    if not isinstance(text, str):
        raise ValueError("'text' must be a string")
    if not isinstance(raw_spans, list):
        raise ValueError("'spans' must be a list")
    return Example(number, text, tuple(_span(item, len(text)) for item in raw_spans))


def _span(item: Any, length: int) -> PiiSpan:
    if not isinstance(item, dict):
        raise ValueError("a span must be an object with start, end and kind")
    start, end, kind = item.get("start"), item.get("end"), item.get("kind")
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= length:
        raise ValueError(f"span offsets {start!r}..{end!r} are not within the text (length {length})")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    return PiiSpan(start, end, kind)


def score(examples: Sequence[Example]) -> dict[PiiKind, Tally]:
    """Per-kind tallies of ``find_pii`` against the labels."""
    tallies = {kind: Tally() for kind in KINDS}
    for example in examples:
        predicted = find_pii(example.text)
        for gold in example.spans:
            tally = tallies[gold.kind]
            tally.gold += 1
            same = [p for p in predicted if p.kind == gold.kind and _overlap(p, gold)]
            tally.found += bool(same)
            tally.exact += any((p.start, p.end) == (gold.start, gold.end) for p in same)
            tally.masked += any(_overlap(p, gold) for p in predicted)
            if not same:
                tally.missed_lines.append(example.line)
        for guess in predicted:
            tally = tallies[guess.kind]
            tally.predicted += 1
            hit = any(g.kind == guess.kind and _overlap(g, guess) for g in example.spans)
            tally.correct += hit
            if not hit:
                tally.false_lines.append(example.line)
    return tallies


def _overlap(a: PiiSpan, b: PiiSpan) -> bool:
    return a.start < b.end and b.start < a.end


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def with_overall(tallies: dict[PiiKind, Tally]) -> dict[str, Tally]:
    """The per-kind tallies and their sum under ``overall``."""
    overall = Tally()
    for tally in tallies.values():
        overall.add(tally)
    rows: dict[str, Tally] = {str(kind): tally for kind, tally in tallies.items()}
    rows["overall"] = overall
    return rows


def summary(tallies: dict[PiiKind, Tally], examples: int, skipped: Sequence[int]) -> dict[str, Any]:
    """Recall, precision and counts per kind and overall, as the JSON the command prints last."""
    rows = with_overall(tallies)
    met = all((_ratio(tallies[k].found, tallies[k].gold) or 0.0) >= TARGET_RECALL for k in TARGET_KINDS)
    return {
        "recall": {k: _ratio(t.found, t.gold) for k, t in rows.items()},
        "precision": {k: _ratio(t.correct, t.predicted) for k, t in rows.items()},
        "exact_recall": {k: _ratio(t.exact, t.gold) for k, t in rows.items()},
        "masked_recall": {k: _ratio(t.masked, t.gold) for k, t in rows.items()},
        "support": {k: t.gold for k, t in rows.items()},
        "predicted": {k: t.predicted for k, t in rows.items()},
        "examples": examples,
        "skipped_lines": list(skipped),
        "target": {"kinds": list(TARGET_KINDS), "min_recall": TARGET_RECALL, "met": met},
    }


_COLUMNS: tuple[tuple[str, int], ...] = (
    ("kind 종류", 22),
    ("gold 정답", 11),
    ("found 찾음", 12),
    ("recall 재현율", 15),
    ("pred 예측", 11),
    ("correct 맞음", 14),
    ("precision 정밀도", 18),
    ("exact 경계일치", 16),
)


def _table(tallies: dict[PiiKind, Tally]) -> list[str]:
    def pct(part: int, whole: int) -> str:
        return f"{part / whole:.1%}" if whole else "-"

    def row(cells: Sequence[object]) -> str:
        first, *rest = (str(cell) for cell in cells)
        return _pad(first, _COLUMNS[0][1], left=True) + "".join(
            _pad(cell, width) for cell, (_, width) in zip(rest, _COLUMNS[1:], strict=True)
        )

    lines = [row([title for title, _ in _COLUMNS])]
    for key, t in with_overall(tallies).items():
        cells = (f"{key} {KOREAN[key]}", t.gold, t.found, pct(t.found, t.gold), t.predicted, t.correct)
        lines.append(row((*cells, pct(t.correct, t.predicted), pct(t.exact, t.gold))))
    return lines


def _pad(text: str, width: int, left: bool = False) -> str:
    """Pad to ``width`` terminal columns, counting Hangul as two."""
    shown = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    fill = " " * max(0, width - shown)
    return text + fill if left else fill + text


def _load(sample: Path | None) -> list[bytes]:
    if sample is None:
        return resources.files("analytics.pii").joinpath("data/pii_sample.jsonl").read_bytes().splitlines()
    return sample.read_bytes().splitlines()


def main(sample: Path | None) -> int:
    """Score the masker on ``sample`` (default: the bundled sample); 1 when the phone/RRN target is missed."""
    name = str(sample) if sample is not None else "bundled pii_sample.jsonl"
    try:
        raw = _load(sample)
    except OSError as exc:
        print(f"sori analytics pii-eval: cannot read {name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    resolve = resolver()
    if resolve is None:
        print("the shared petition files are not here: the real examples are skipped", file=sys.stderr)
    examples, problems = parse_sample(raw, resolve)
    for problem in problems:
        print(f"{name}: {problem} — skipped", file=sys.stderr)
    tallies = score(examples)
    skipped = [int(p.split(":")[0].removeprefix("line ")) for p in problems]
    result = summary(tallies, len(examples), skipped)
    print(f"PII 마스킹 평가 / PII masking evaluation — {name}: {len(examples)} examples, {len(skipped)} skipped")
    print("매칭 규칙 / matching: same kind, overlapping by at least one character")
    print(*_table(tallies), sep="\n")
    for kind, tally in tallies.items():
        if tally.missed_lines or tally.false_lines:
            missed, false = _lines(tally.missed_lines), _lines(tally.false_lines)
            print(f"{kind}: missed on lines {missed}; false positives on lines {false}")
    for kind in TARGET_KINDS:
        recall = result["recall"][kind]
        verdict = "ok" if recall is not None and recall >= TARGET_RECALL else "BELOW TARGET"
        shown = "no labelled spans" if recall is None else f"{recall:.1%}"
        print(f"목표 / target: {KOREAN[kind]} ({kind}) recall {shown} ≥ {TARGET_RECALL:.0%}: {verdict}")
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0 if result["target"]["met"] else 1


def _lines(numbers: Sequence[int]) -> str:
    if not numbers:
        return "-"
    shown = ", ".join(str(n) for n in sorted(set(numbers))[:20])
    return shown + (" …" if len(set(numbers)) > 20 else "")
