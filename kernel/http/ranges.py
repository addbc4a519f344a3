"""HTTP byte ranges (RFC 9110 §14): one ``Range: bytes=…`` range resolved against a file's size.

Only a single range is served; a multi-range request gets the first range's bytes, which the standard allows
(a server may ignore or coalesce ranges). An open-ended range is capped at ``cap`` bytes: media players ask
for ``bytes=0-`` and read on with the next range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(ValueError):
    """The range starts past the end of the file (answered 416 with ``Content-Range: bytes */size``)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int, cap: int) -> ByteRange | None:
    """The range to send, or None for the whole file (no header, or one this parser does not understand).

    Raises ``RangeNotSatisfiable`` for a range starting at or past ``size`` (or any range of an empty file).
    """
    if header is None:
        return None
    first = header.split(",", 1)[0] if header.strip().lower().startswith("bytes") else header
    match = _SPEC.match(first)
    if match is None or (match.group(1) == "" and match.group(2) == ""):
        return None  # not a bytes range we understand: ignored, the whole file is sent
    start_text, end_text = match.group(1), match.group(2)
    if start_text == "":  # a suffix: the last N bytes
        suffix = int(end_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"bytes=-{suffix} of {size} bytes")
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(start_text)
    if start >= size:
        raise RangeNotSatisfiable(f"bytes={start}- of {size} bytes")
    if end_text == "":
        return ByteRange(start, min(size - 1, start + cap - 1))
    end = int(end_text)
    if end < start:
        return None  # syntactically invalid: ignored
    return ByteRange(start, min(end, size - 1))
