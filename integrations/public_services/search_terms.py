"""The analysed search terms of each catalog service, and the shipped file that holds them precomputed.

Kiwi needs about 45 s of one core for the whole catalog (3.3 M characters), far too slow for building a
search at start-up, so ``build_search_terms`` analyses the catalog once and ships the terms in
``data/search_terms.jsonl.gz``: a header line (format, analyser version, kiwipiepy version) and then one line
per service ``{"id", "hash", "<field>": "term term …"}``. ``hash`` fingerprints the service's searched texts:
a service whose texts changed since (or a catalog other than the shipped one) is analysed again on load,
so the file can be stale but never wrong.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from integrations.public_services.catalog import PublicService
from integrations.public_services.tokens import ANALYSER_VERSION, Analyser, kiwi_version

TERMS_FILE = "search_terms.jsonl.gz"
FORMAT = 1
#: The searched fields of a service, in this order everywhere (the index weighs the title higher).
FIELDS: tuple[str, ...] = ("name", "purpose", "target", "criteria", "content")


@dataclass(frozen=True)
class ServiceTerms:
    """The terms of one service per field (repeats kept), and the fingerprint of the texts they come from."""

    service_id: str
    text_hash: str
    fields: Mapping[str, tuple[str, ...]]


def field_texts(service: PublicService) -> dict[str, str]:
    return {field: getattr(service, field) or "" for field in FIELDS}


def text_hash(service: PublicService) -> str:
    texts = field_texts(service)
    joined = "\x1f".join(texts[field] for field in FIELDS)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=8).hexdigest()


def analyse(services: Iterable[PublicService], analyser: Analyser) -> list[ServiceTerms]:
    """Analyse the searched fields of ``services`` (all texts in one batch through the analyser)."""
    services = list(services)
    texts = [field_texts(s)[field] for s in services for field in FIELDS]
    analysed = iter(analyser.terms_many(texts))
    out = []
    for service in services:
        fields = {field: tuple(next(analysed)) for field in FIELDS}
        out.append(ServiceTerms(service.id, text_hash(service), fields))
    return out


def header() -> dict[str, Any]:
    return {"format": FORMAT, "analyser": ANALYSER_VERSION, "kiwipiepy": kiwi_version()}


def encode(terms: Iterable[ServiceTerms]) -> bytes:
    """The file's bytes: deterministic (mtime 0), so rebuilding from the same catalog is byte-identical."""
    lines = [json.dumps(header(), separators=(",", ":"))]
    for entry in terms:
        record: dict[str, str] = {"id": entry.service_id, "hash": entry.text_hash}
        for field in FIELDS:
            words = entry.fields[field]
            if any(not w or any(c.isspace() for c in w) for w in words):
                raise ValueError(f"a term of {entry.service_id} is empty or holds a blank")
            record[field] = " ".join(words)
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)


def decode(data: bytes) -> dict[str, ServiceTerms]:
    """The terms by service id, or an empty mapping if the file was made by another analyser or Kiwi."""
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    if not lines or json.loads(lines[0]) != header():
        return {}
    out = {}
    for line in lines[1:]:
        if not line:
            continue
        record = json.loads(line)
        fields = {field: tuple(record[field].split()) for field in FIELDS}
        out[record["id"]] = ServiceTerms(record["id"], record["hash"], fields)
    return out


def load_shipped(path: Path | str | None = None) -> dict[str, ServiceTerms]:
    """The shipped precomputed terms (empty if absent or made by another analyser version)."""
    if path is not None:
        return decode(Path(path).read_bytes())
    resource = resources.files("integrations.public_services").joinpath("data", TERMS_FILE)
    if not resource.is_file():
        return {}
    return decode(resource.read_bytes())


def terms_for(
    services: Iterable[PublicService], analyser: Analyser, shipped: Mapping[str, ServiceTerms]
) -> tuple[list[ServiceTerms], int]:
    """Terms of every service, taken from ``shipped`` where its fingerprint matches; how many were analysed."""
    services = list(services)
    stale = [s for s in services if (t := shipped.get(s.id)) is None or t.text_hash != text_hash(s)]
    fresh = {t.service_id: t for t in analyse(stale, analyser)} if stale else {}
    return [fresh.get(s.id) or shipped[s.id] for s in services], len(stale)
