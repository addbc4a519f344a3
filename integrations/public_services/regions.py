"""Korean regions for eligibility: the 17 시·도 with their short and former names, and the region an agency serves.

``Region`` is what an agent enters ("경기 수원시", "서울특별시 강남구"); ``agency_region`` reads the region a
regional government's own service is for from its 소관기관명, and only from names that say it unambiguously:
the name must begin with a full 시·도 name (or a 시·도 교육청), optionally followed by one or two 시/군/구 names
("경기도 수원시 복지여성국 장애인복지과" → 경기도 수원시). Ministries, public corporations and foundations
("보건복지부", "용산구시설관리공단", "재단법인전북특별자치도…") give no region. "전남광주통합특별시" (the 2026
records' name for the merged 광주·전남) stands for both 광주광역시 and 전라남도.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.errors import ValidationFailed

# canonical name -> accepted spellings (short forms and names before the 2023/2024 renamings)
SIDO_ALIASES: dict[str, tuple[str, ...]] = {
    "서울특별시": ("서울", "서울시"),
    "부산광역시": ("부산", "부산시"),
    "대구광역시": ("대구", "대구시"),
    "인천광역시": ("인천", "인천시"),
    "광주광역시": ("광주",),  # not "광주시": that is also 경기도 광주시
    "대전광역시": ("대전", "대전시"),
    "울산광역시": ("울산", "울산시"),
    "세종특별자치시": ("세종", "세종시"),
    "경기도": ("경기",),
    "강원특별자치도": ("강원", "강원도"),
    "충청북도": ("충북",),
    "충청남도": ("충남",),
    "전북특별자치도": ("전북", "전라북도"),
    "전라남도": ("전남",),
    "경상북도": ("경북",),
    "경상남도": ("경남",),
    "제주특별자치도": ("제주", "제주도"),
}
SIDO_NAMES: tuple[str, ...] = tuple(SIDO_ALIASES)
_CANONICAL: dict[str, str] = {alias: name for name, aliases in SIDO_ALIASES.items() for alias in (name, *aliases)}
# agency prefixes that cover several 시·도 (the merged 광주·전남 of the 2026 records)
_MERGED: dict[str, frozenset[str]] = {"전남광주통합특별시": frozenset({"광주광역시", "전라남도"})}
_SIGUNGU = re.compile(r"^[가-힣]{1,6}[시군구]$")
_FULL_NAMES = sorted([*SIDO_NAMES, *_MERGED], key=len, reverse=True)


class InvalidRegion(ValidationFailed):
    code = "invalid-region"


@dataclass(frozen=True)
class Region:
    """A 시·도 (canonical name) and optionally its 시/군/구 path, e.g. ("수원시", "영통구")."""

    sido: str
    sigungu: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.sido not in SIDO_ALIASES:
            raise InvalidRegion(f"알 수 없는 시·도: {self.sido}", sido=self.sido)

    @classmethod
    def parse(cls, text: str) -> Region:
        """'경기 수원시 영통구', '서울특별시', '강원도 춘천시' (former names map to the current ones)."""
        words = text.split()
        if not words or words[0] not in _CANONICAL:
            raise InvalidRegion(f"시·도 이름으로 시작해야 함: {text!r}", region=text)
        rest = tuple(words[1:])
        if any(not _SIGUNGU.match(word) for word in rest):
            raise InvalidRegion(f"시·도 뒤에는 시/군/구 이름만 올 수 있음: {text!r}", region=text)
        return cls(_CANONICAL[words[0]], rest)

    def __str__(self) -> str:
        return " ".join((self.sido, *self.sigungu))


@dataclass(frozen=True)
class ServedRegion:
    """The region a regional agency serves: one or more 시·도 (merged names) and an optional 시/군/구 path."""

    sidos: frozenset[str]
    sigungu: tuple[str, ...]
    name: str  # as the agency name spells it, for reasons

    def contains(self, region: Region) -> bool | None:
        """True/False when the entered region decides it; None when it is not precise enough."""
        if region.sido not in self.sidos:
            return False
        for depth, part in enumerate(self.sigungu):
            if depth >= len(region.sigungu):
                return None
            if region.sigungu[depth] != part:
                return False
        return True


def agency_region(agency: str | None) -> ServedRegion | None:
    """The region served by a 시·도 / 시·군·구 office (or 시·도 교육청), or None when the name does not say one."""
    if not agency:
        return None
    words = agency.split()
    first = words[0]
    head = next((name for name in _FULL_NAMES if first in (name, f"{name}교육청")), None)
    if head is None:
        return None
    sidos = _MERGED.get(head, frozenset({head}))
    path: list[str] = []
    if first == head:
        for word in words[1:3]:
            # a 구 under a 시 (수원시 영통구) continues the path; anything else (국, 과, 본부 …) ends it
            if not _SIGUNGU.match(word) or (path and not (path[-1].endswith("시") and word.endswith("구"))):
                break
            path.append(word)
    name = " ".join((first, *path))
    return ServedRegion(sidos, tuple(path), name)
