"""What the issuer knows of a citizen, and the masking every output applies (pure).

The record never holds a clear 주민등록번호: only its masked form (``800101-1******``), which is all a certificate
shows. Contact points on file (e-mail, fax, postal address, 전자문서지갑) are the only places a certificate may be
delivered to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kernel.errors import ValidationFailed

_MASKED_RRN = re.compile(r"^\d{6}-[1-8]\*{6}$")


class CitizenRecordInvalid(ValidationFailed):
    code = "certificate-citizen-record-invalid"


@dataclass(frozen=True)
class CitizenRecord:
    """One citizen as the issuing agencies know them (``ref``: an opaque reference, today a phone number)."""

    ref: str
    name: str
    masked_rrn: str
    address: str | None = None
    email: str | None = None
    fax: str | None = None
    wallet: bool = False
    registration_base: str | None = None
    household_head: str | None = None
    insurance: str | None = None
    tax_status: str | None = None
    business: str | None = None

    def __post_init__(self) -> None:
        if not _MASKED_RRN.match(self.masked_rrn):
            raise CitizenRecordInvalid("주민등록번호는 가린 형태(예: 800101-1******)로만 보관합니다")
        if not self.name.strip():
            raise CitizenRecordInvalid("성명이 필요합니다")

    def contact_point(self, method: str) -> str | None:
        """Where a delivery by ``method`` goes, or None when there is no such contact point on file."""
        if method == "email":
            return self.email
        if method == "fax":
            return self.fax
        if method == "post":
            return self.address
        if method == "wallet":
            return "전자문서지갑" if self.wallet else None
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CitizenRecord:
        try:
            return cls(**{key: data[key] for key in data if key in cls.__dataclass_fields__})
        except TypeError as exc:
            raise CitizenRecordInvalid(f"시민 정보가 올바르지 않습니다: {exc}") from exc


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 김철 → 김*, 남궁민수 → 남**수 (first and last kept, the rest hidden)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_contact(method: str, point: str) -> str:
    """A contact point as the outbox shows it: enough to recognise, not enough to reuse."""
    if method == "email" and "@" in point:
        local, domain = point.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if method == "fax":
        digits = [c for c in point if c.isdigit()]
        return "***-" + "".join(digits[-4:])
    if method == "post":
        words = point.split()
        return " ".join(words[:2]) + " ***" if len(words) > 2 else point
    return point
