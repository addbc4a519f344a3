"""Converts the 보조금24 / 정부24 public-service files into the catalog Sori ships (one compact record a line).

Run from the repository root::

    python -m integrations.public_services.build_catalog --shared ../shared/data \
        --out integrations/public_services/data/catalog.jsonl.gz

Where one 서비스ID occurs in several snapshots the NEWEST record (by 수정일시) is kept whole: fields are never
merged across snapshots, because a 2025 선정기준 next to a 2026 지원내용 would describe no real service. On equal
수정일시 the richer, more recent snapshot wins (the order of ``SOURCES`` below). Each record names its source file.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

BOJO24_2026 = "bojo24_services_with_conditions_1097.jsonl.gz"
BOJO24_SAMPLE5 = "bojo24_public_services_sample5_with_conditions.json"
BOJO24_2025 = "bojo24_services_with_conditions_10265.jsonl.gz"
GOV24_GYEONGGI = "public_services_gyeonggi_gov24_2014-2020.csv.gz"

# Tie-break on equal 수정일시: earlier in this tuple wins (newer snapshot, richer schema).
SOURCES: tuple[str, ...] = (BOJO24_2026, BOJO24_SAMPLE5, BOJO24_2025, GOV24_GYEONGGI)

Record = dict[str, Any]


def normalise_timestamp(value: str | None) -> str | None:
    """'20250430154938' or '2020-11-05' -> '2025-04-30T15:54:38' / '2020-11-05T00:00:00' (sortable text)."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 8:
        digits += "000000"
    if len(digits) != 14:
        raise ValueError(f"unreadable timestamp: {value!r}")
    d = digits
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").strip()
    return text or None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def from_bojo24(raw: Mapping[str, Any], source: str) -> Record:
    """One 보조금24 API record (serviceList + serviceDetail + supportConditions) as a catalog record."""
    return {
        "id": str(raw["서비스ID"]),
        "name": _text(raw.get("서비스명")) or "",
        "agency": _text(raw.get("소관기관명")),
        "department": _text(raw.get("부서명")),
        "field": _text(raw.get("서비스분야")),
        "support_form": _text(raw.get("지원유형")),
        "user_type": _text(raw.get("사용자구분")),
        "purpose": _text(raw.get("서비스목적요약")),
        "target": _text(raw.get("지원대상")),
        "criteria": _text(raw.get("선정기준")),
        "content": _text(raw.get("지원내용")),
        "apply": _text(raw.get("신청방법")),
        "apply_detail": _text(raw.get("상세_신청방법")),
        "deadline": _text(raw.get("신청기한")),
        "url": _text(raw.get("상세조회URL")),
        "phone": _text(raw.get("전화문의")),
        "updated_at": normalise_timestamp(raw.get("수정일시")),
        "views": _int(raw.get("조회수")),
        "source": source,
        "cond": dict(raw.get("cond") or {}),
    }


def from_gov24_csv_row(row: Mapping[str, str]) -> Record:
    """One 정부24 Gyeonggi catalog row. Its 소관기관 column holds agency and department together; kept whole."""
    return {
        "id": row["PUBL_SERVC_ID"].strip(),
        "name": _text(row.get("PUBL_SERVC_TITLE")) or "",
        "agency": _text(row.get("PUBL_SERVC_JURSDCTN_INST_NM")),
        "department": None,
        "field": None,
        "support_form": _text(row.get("SPORT_FORM_DTLS")),
        "user_type": None,
        "purpose": _text(row.get("PUBL_SERVC_PURPS_DTCONT")),
        "target": None,
        "criteria": None,
        "content": None,
        "apply": None,
        "apply_detail": None,
        "deadline": None,
        "url": _text(row.get("PUBL_SERVC_DETAIL_URL")),
        "phone": None,
        "updated_at": normalise_timestamp(row.get("LAST_UPD_DE")),
        "views": None,
        "source": GOV24_GYEONGGI,
        "cond": {},
    }


def read_source(path: Path) -> Iterator[Record]:
    """The catalog records of one shared-data file, recognised by its name."""
    name = path.name
    if name == GOV24_GYEONGGI:
        with gzip.open(path, "rb") as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                yield from_gov24_csv_row(row)
    elif name == BOJO24_SAMPLE5:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for raw_service in doc["services"]:
            yield from_bojo24(raw_service, name)
    elif name in (BOJO24_2025, BOJO24_2026):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield from_bojo24(json.loads(line), name)
    else:
        raise ValueError(f"not a known public-service source: {name}")


def _rank(record: Record) -> tuple[str, int]:
    # Higher ranks win: newest 수정일시, then the source listed first in SOURCES.
    return (record["updated_at"] or "", -SOURCES.index(record["source"]))


def choose_newest(records: Iterable[Record]) -> dict[str, Record]:
    """Per id, the newest record whole (never a mix of fields from several snapshots)."""
    chosen: dict[str, Record] = {}
    for record in records:
        current = chosen.get(record["id"])
        if current is None or _rank(record) > _rank(current):
            chosen[record["id"]] = record
    return chosen


def build(shared: Path) -> list[Record]:
    """Every service in the shared files, newest record per id, sorted by id."""
    records = (r for source in SOURCES for r in read_source(shared / source))
    chosen = choose_newest(records)
    return [chosen[key] for key in sorted(chosen)]


def encode(records: Iterable[Record]) -> bytes:
    """The catalog file's bytes: gzip'd JSON lines, deterministic (mtime 0) so a rebuild is byte-identical."""
    body = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    return gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the shipped public-service catalog.")
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("integrations/public_services/data/catalog.jsonl.gz"))
    args = parser.parse_args(argv)
    records = build(args.shared)
    data = encode(records)
    args.out.write_bytes(data)
    by_source: dict[str, int] = {}
    for record in records:
        by_source[record["source"]] = by_source.get(record["source"], 0) + 1
    print(json.dumps({"services": len(records), "bytes": len(data), "by_source": by_source}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
