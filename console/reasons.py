"""The not-ready (이석) reasons an agent may pick on the console, configurable per center.

Every center gets the default list unless the composition root hands in its own list for that center (a mapping
center → [(code, Korean label)]). Codes are what the desk records; labels are what agents read. Plain Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kernel.errors import DomainError

Reason = tuple[str, str]  # (code, Korean label)

DEFAULT_REASONS: tuple[Reason, ...] = (
    ("meal", "식사"),
    ("training", "교육"),
    ("meeting", "회의"),
    ("personal", "개인용무"),
    ("break", "휴식"),
    ("admin", "사무처리"),
)


class UnknownReason(DomainError):
    code = "unknown-reason"


class ReasonBook:
    """The reasons of each center: its own list when configured, else ``default``."""

    def __init__(
        self, per_center: Mapping[str, Sequence[Reason]] | None = None, default: Sequence[Reason] = DEFAULT_REASONS
    ) -> None:
        self.default = _checked("default", default)
        self.per_center = {center: _checked(center, reasons) for center, reasons in (per_center or {}).items()}

    def for_center(self, center: str) -> tuple[Reason, ...]:
        return self.per_center.get(center, self.default)

    def label(self, center: str, code: str) -> str | None:
        return dict(self.for_center(center)).get(code)

    def check(self, center: str, code: str) -> str:
        """``code`` if it is one of ``center``'s reasons; raises ``UnknownReason`` (Korean message) otherwise."""
        if self.label(center, code) is None:
            raise UnknownReason(
                "이 센터에서 쓰지 않는 이석 사유입니다. 목록에서 사유를 고르세요.", center=center, reason=code
            )
        return code


def _checked(center: str, reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    out = tuple((str(code).strip(), str(label).strip()) for code, label in reasons)
    codes = [code for code, _ in out]
    if not out or any(not code or not label for code, label in out) or len(set(codes)) != len(codes):
        raise ValueError(f"not-ready reasons of {center}: a non-empty list of distinct (code, label) pairs")
    return out
