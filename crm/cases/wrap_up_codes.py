"""Wrap-up (disposition) codes an agent picks when closing a contact, configurable per center.

Every center gets the default codes unless the composition root hands in its own list for that center (a
mapping center → [(code, Korean label)]). Codes are what the contact records (``interactions.wrap_up_code``);
labels are what agents and supervisors read. Plain Python: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kernel.errors import DomainError

WrapUpCode = tuple[str, str]  # (code, Korean label)

DEFAULT_CODES: tuple[WrapUpCode, ...] = (
    ("informed", "안내 완료"),
    ("resolved", "처리 완료"),
    ("transferred", "이관"),
    ("callback-needed", "재통화 필요"),
    ("complaint-filed", "민원 접수"),
    ("wrong-number", "오인 전화"),
    ("other", "기타"),
)
_CODE = re.compile(r"[a-z][a-z0-9-]{0,29}")  # fits interactions.wrap_up_code (String(30))


class UnknownWrapUpCode(DomainError):
    code = "unknown-wrap-up-code"


class WrapUpCodeRequired(DomainError):
    code = "wrap-up-code-required"


class WrapUpCodeBook:
    """The wrap-up codes of each center: its own list when configured, else ``default``."""

    def __init__(
        self,
        per_center: Mapping[str, Sequence[WrapUpCode]] | None = None,
        default: Sequence[WrapUpCode] = DEFAULT_CODES,
    ) -> None:
        self.default = _checked("default", default)
        self.per_center = {center: _checked(center, codes) for center, codes in (per_center or {}).items()}

    def for_center(self, center: str) -> tuple[WrapUpCode, ...]:
        return self.per_center.get(center, self.default)

    def label(self, center: str, code: str) -> str | None:
        return dict(self.for_center(center)).get(code)

    def check(self, center: str, code: str) -> str:
        """``code`` if it is one of ``center``'s codes; raises ``UnknownWrapUpCode`` (Korean message) otherwise."""
        if self.label(center, code) is None:
            raise UnknownWrapUpCode(
                "이 센터에서 쓰지 않는 후처리 코드입니다. 목록에서 코드를 고르세요.",
                center=center,
                wrap_up_code=code[:30],
            )
        return code


def _checked(center: str, codes: Sequence[WrapUpCode]) -> tuple[WrapUpCode, ...]:
    out = tuple((str(code).strip(), str(label).strip()) for code, label in codes)
    names = [code for code, _ in out]
    if not out or any(not label or len(label) > 40 for _, label in out) or len(set(names)) != len(names):
        raise ValueError(f"wrap-up codes of {center}: a non-empty list of distinct (code, label) pairs")
    bad = [code for code in names if not _CODE.fullmatch(code)]
    if bad:
        raise ValueError(f"wrap-up codes of {center}: {bad[0]!r} is not lower-case letters, digits and '-' (≤ 30)")
    return out
