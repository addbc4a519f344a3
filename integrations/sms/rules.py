"""The rules every adapter and the reference service apply alike: which numbers, which texts (pure).

Korean carriers count a text in CP949 (EUC-KR) bytes: a Hangul syllable is 2 bytes, ASCII 1. Up to
90 bytes is one SMS (45 syllables); up to 2,000 bytes one LMS (1,000 syllables); longer texts would be MMS
or be cut by the carrier, so they are refused here rather than cut silently.
"""

from __future__ import annotations

import re

from integrations.sms.port import MessageKind, SmsRejected

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
_MOBILE = re.compile(r"(010[0-9]{8}|01[16789][0-9]{7,8})")
_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def check_number(to: str) -> str:
    """``to`` if it is a Korean mobile number in digits (010 + 8 digits; 011, 016-019 + 7 or 8)."""
    if not isinstance(to, str) or not _MOBILE.fullmatch(to):
        raise SmsRejected("invalid-number")
    return to


def measure_text(text: str) -> tuple[MessageKind, int]:
    """The kind (sms or lms) and CP949 length of ``text``; ``SmsRejected`` if it cannot be sent."""
    if not isinstance(text, str) or not text.strip():
        raise SmsRejected("text-empty")
    try:
        size = len(text.encode("cp949"))
    except UnicodeEncodeError:
        raise SmsRejected("text-encoding") from None
    if size > LMS_MAX_BYTES:
        raise SmsRejected("text-too-long", bytes=size, limit=LMS_MAX_BYTES)
    return ("sms" if size <= SMS_MAX_BYTES else "lms"), size


def check_idempotency_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise SmsRejected("idempotency-key-invalid")
    return key


def mask_number(to: str) -> str:
    """010-****-5678: the prefix and last four digits (as ``crm.citizens.phone`` masks numbers)."""
    middle = to[3:-4]
    return f"{to[:3]}-{'*' * len(middle)}-{to[-4:]}"
