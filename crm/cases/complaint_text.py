"""Masking a complaint's text: the port the composition root fills, a conservative default, and the
주민등록번호 rule every presentation applies.

The system's PII masker is analytics' (``analytics.pii.mask``), which the case store may not import; the
composition root hands it in as a ``TextMasker`` (``sori.wiring``). Without one, ``conservative_mask`` masks
more than it must rather than less: e-mail addresses, phone numbers, 주민등록번호 and every other run of six
or more digits. Masked text uses the analytics masker's tags, so both read alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TextMasker = Callable[[str], str]  # text in, text with personal data replaced out

_DASH = r"[-\u2010-\u2015\uff0d\u3161]"
# YYMMDD-[1-8]NNNNNN with a dash, spaces or nothing; a partly starred one still shows the birth date.
_RRN = re.compile(rf"(?<!\d)\d{{6}}\s*{_DASH}?\s*[1-8*][\d*]{{6}}(?![\d*])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    rf"(?<!\d)(?:\+?82[\s.-]?)?\(?0\d{{1,2}}\)?[\s.{_DASH[1:-1]}]?\d{{3,4}}[\s.{_DASH[1:-1]}]?\d{{4}}(?!\d)"
)
_DIGIT_RUN = re.compile(rf"(?<!\d)\d(?:[\d\s.{_DASH[1:-1]}]{{4,}})\d(?!\d)")


def mask_rrn(text: str) -> str:
    """Every 주민등록번호-like number replaced by a tag: applied to whatever an agent is shown."""
    return _RRN.sub("[주민등록번호]", text)


def conservative_mask(text: str) -> str:
    """The default masker: 주민등록번호, e-mail, phone numbers, then any run of 6+ digits (with separators)."""
    masked = mask_rrn(text)
    masked = _EMAIL.sub("[이메일]", masked)
    masked = _PHONE.sub("[전화번호]", masked)
    return _DIGIT_RUN.sub(_digit_run, masked)


def _digit_run(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[번호]" if digits >= 6 else match.group(0)
