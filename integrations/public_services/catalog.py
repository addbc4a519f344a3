"""The public-service catalog Sori ships: typed, read-only records and lookup by 서비스ID.

The file is built by ``build_catalog`` from the 보조금24 / 정부24 open data (see ``data/SOURCES.md``) and read
from the installed package, so a fresh clone works without ``../shared``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

CATALOG_FILE = "catalog.jsonl.gz"


@dataclass(frozen=True)
class PublicService:
    """One public service as published by 보조금24 / 정부24 (texts unchanged, line ends normalised).

    ``cond`` is the 보조금24 supportConditions record with null codes left out: "Y", or an integer age for
    JA0110/JA0111. It is empty for sources that have none (the 정부24 Gyeonggi catalog).
    """

    id: str
    name: str
    agency: str | None
    department: str | None
    field: str | None  # 서비스분야
    support_form: str | None  # 지원유형 (정부24: 지원형태)
    user_type: str | None  # 사용자구분
    purpose: str | None  # 서비스목적요약
    target: str | None  # 지원대상
    criteria: str | None  # 선정기준
    content: str | None  # 지원내용
    apply: str | None  # 신청방법 (categories, '||'-joined)
    apply_detail: str | None  # serviceDetail's free-text 신청방법, where the source has it
    deadline: str | None  # 신청기한
    url: str | None  # 상세조회URL
    phone: str | None  # 전화문의: agencies' published numbers
    updated_at: str | None  # 수정일시 as 'YYYY-MM-DDTHH:MM:SS'
    views: int | None  # 조회수
    source: str  # the shared-data file this record was taken from
    cond: Mapping[str, str | int]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PublicService:
        fields: dict[str, Any] = {key: raw.get(key) for key in cls.__dataclass_fields__}
        fields["cond"] = MappingProxyType(dict(raw.get("cond") or {}))
        return cls(**fields)


class Catalog:
    """The services by id, in id order."""

    def __init__(self, services: list[PublicService]) -> None:
        self._by_id: dict[str, PublicService] = {s.id: s for s in services}
        if len(self._by_id) != len(services):
            raise ValueError("duplicate service id in catalog")

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[PublicService]:
        return iter(self._by_id.values())

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._by_id

    def support_forms(self) -> tuple[str, ...]:
        """Every 지원유형 a service states (a record may state several, '||'-joined), sorted."""
        return tuple(sorted({form for s in self for form in forms_of(s.support_form)}))

    def get(self, service_id: str) -> PublicService | None:
        return self._by_id.get(service_id)

    def __getitem__(self, service_id: str) -> PublicService:
        return self._by_id[service_id]


FORM_SEPARATOR = "||"


def forms_of(support_form: str | None) -> list[str]:
    """The 지원유형 values of one record's field, in order, without repeats."""
    if not support_form:
        return []
    return list(dict.fromkeys(f.strip() for f in support_form.split(FORM_SEPARATOR) if f.strip()))


@cache
def shipped_support_forms() -> tuple[str, ...]:
    """The shipped catalog's 지원유형 values (what a search's ``support_form`` filter takes)."""
    return load_catalog().support_forms()


def _parse(data: bytes) -> Catalog:
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return Catalog([PublicService.from_json(json.loads(line)) for line in lines if line.strip()])


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The shipped catalog, or the one at ``path`` (a catalog.jsonl.gz as ``build_catalog`` writes it)."""
    if path is None:
        data = resources.files("integrations.public_services").joinpath("data", CATALOG_FILE).read_bytes()
    else:
        data = Path(path).read_bytes()
    return _parse(data)
