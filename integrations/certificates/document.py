"""A certificate's canonical content: the fields it certifies as one deterministic byte string (what is signed),
and the lines the PDF shows (pure).

The canonical form is UTF-8 text, one ``key=value`` per line in a fixed order, after the header line
``SORI-CERTIFICATE/1``; per-kind details follow as ``detail.<field>=value`` in the kind's order. Values are
single-line (NFC-normalised, no control characters), so the form parses back exactly and the same certificate
always yields the same bytes. The 주민등록번호 appears only masked (``800101-1******``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from kernel.errors import ValidationFailed

HEADER = "SORI-CERTIFICATE/1"
KST = dt.timezone(dt.timedelta(hours=9), "KST")  # Korea keeps no daylight saving time: a fixed offset is exact
_FIELDS = (
    "kind", "kind_name", "issue_number", "issued_at", "name", "masked_rrn", "purpose", "agency",
    "verification_code", "verify_url",
)  # fmt: skip
DETAIL_LABELS = {
    "address": "주소",
    "registration_base": "등록기준지",
    "household_head": "세대주",
    "insurance": "건강보험 자격",
    "tax_status": "납세 상태",
    "business": "사업자",
}
NOTICE = "이 증명서는 발급번호와 검증코드로 위변조 여부를 확인할 수 있습니다."


class ContentInvalid(ValidationFailed):
    code = "certificate-content-invalid"


def verify_url(base: str, issue_number: str, code: str) -> str:
    """``{base}/verify?no=…&code=…``: where the QR code leads."""
    return f"{base.rstrip('/')}/verify?{urlencode({'no': issue_number, 'code': code})}"


def _clean(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ContentInvalid("증명서 항목에 줄바꿈이나 제어 문자를 쓸 수 없습니다")
    return value


@dataclass(frozen=True)
class CertificateContent:
    """The fields a certificate certifies (``issued_at``: aware, shown in Asia/Seoul)."""

    kind: str
    kind_name: str
    issue_number: str
    issued_at: dt.datetime
    name: str
    masked_rrn: str
    purpose: str
    agency: str
    verification_code: str
    verify_url: str
    details: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ContentInvalid("발급일시에는 시간대가 필요합니다")
        object.__setattr__(self, "issued_at", self.issued_at.astimezone(KST).replace(microsecond=0))
        for name in _FIELDS:
            if name != "issued_at":
                object.__setattr__(self, name, _clean(getattr(self, name)))
        details = tuple((_clean(key), _clean(value)) for key, value in self.details)
        if any(key not in DETAIL_LABELS for key, _ in details):
            raise ContentInvalid(f"알 수 없는 증명서 항목: {[key for key, _ in details]}")
        object.__setattr__(self, "details", details)
        if "*" not in self.masked_rrn:
            raise ContentInvalid("주민등록번호는 가린 형태로만 증명서에 넣습니다")

    @property
    def issued_on(self) -> dt.date:
        return self.issued_at.date()

    def to_bytes(self) -> bytes:
        lines = [HEADER]
        for name in _FIELDS:
            value = getattr(self, name)
            lines.append(f"{name}={value.isoformat() if isinstance(value, dt.datetime) else value}")
        lines.extend(f"detail.{key}={value}" for key, value in self.details)
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> CertificateContent:
        """Parse the canonical form; anything else (even a reordering) is ``ContentInvalid``."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContentInvalid("증명서 내용을 읽을 수 없습니다") from exc
        lines = text.split("\n")
        if not lines or lines[0] != HEADER or lines[-1] != "":
            raise ContentInvalid("증명서 내용 형식이 아닙니다")
        values: dict[str, str] = {}
        details: list[tuple[str, str]] = []
        for index, line in enumerate(lines[1:-1]):
            key, sep, value = line.partition("=")
            if not sep:
                raise ContentInvalid("증명서 내용 형식이 아닙니다")
            if index < len(_FIELDS):
                if key != _FIELDS[index]:
                    raise ContentInvalid("증명서 내용 형식이 아닙니다")
                values[key] = value
            elif key.startswith("detail."):
                details.append((key.removeprefix("detail."), value))
            else:
                raise ContentInvalid("증명서 내용 형식이 아닙니다")
        if len(values) != len(_FIELDS):
            raise ContentInvalid("증명서 내용 형식이 아닙니다")
        try:
            issued_at = dt.datetime.fromisoformat(values.pop("issued_at"))
        except ValueError as exc:
            raise ContentInvalid("발급일시 형식이 아닙니다") from exc
        content = cls(issued_at=issued_at, details=tuple(details), **values)
        if content.to_bytes() != data:  # not canonical (e.g. a value with surrounding spaces): refuse
            raise ContentInvalid("증명서 내용이 정규 형식이 아닙니다")
        return content

    def title(self) -> str:
        return self.kind_name

    def visible_lines(self) -> list[str]:
        """The text lines the PDF shows, in order; verification compares them with the PDF's extracted text."""
        when = self.issued_at.strftime("%Y년 %m월 %d일 %H:%M")
        lines = [
            self.kind_name,
            f"발급번호: {self.issue_number}",
            f"성명: {self.name}",
            f"주민등록번호: {self.masked_rrn}",
        ]
        lines.extend(f"{DETAIL_LABELS[key]}: {value}" for key, value in self.details)
        lines.extend(
            [
                f"용도: {self.purpose or '-'}",
                f"발급일시: {when} (한국표준시)",
                f"발급기관: {self.agency}",
                f"검증코드: {self.verification_code}",
                NOTICE,
                f"확인: {self.verify_url}",
            ]
        )
        return lines


def same_text(extracted: str, lines: list[str]) -> bool:
    """Whether text extracted from a PDF is exactly these lines, whitespace aside (PDF text extraction does not
    keep spaces and line breaks reliably; every other character must match, in order)."""

    def squeeze(text: str) -> str:
        return "".join(unicodedata.normalize("NFC", text).split())

    return squeeze(extracted) == squeeze("".join(lines))
