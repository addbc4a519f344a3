"""주민등록번호 (resident registration number): validate, keyed hash and masked form; never kept in clear.

The hash is HMAC-SHA256 under a key from configuration or a key file (never the
repository), so equal numbers match without the number being recoverable from
the store. Since October 2020 the last six digits are random, so the old
checksum is not enforced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from crm.errors import InvalidResidentNumber

_RRN = re.compile(r"^(\d{6})-?(\d)(\d{6})$")
# Gender/century digit: 9,0 born 1800s; 1,2 1900s; 3,4 2000s; 5-8 foreign residents (1900s/2000s).
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "5": 1900,
    "6": 1900,
    "3": 2000,
    "4": 2000,
    "7": 2000,
    "8": 2000,
}
RRN_IN_TEXT = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?-?\s?([1-8])\d{6}(?!\d)")


@dataclass(frozen=True)
class ResidentNumber:
    """What is kept of a 주민등록번호: the keyed hash, the masked form and the derived birth year and sex."""

    hash: str
    masked: str
    birth_year: int
    sex: str  # "M" or "F"


def protect_resident_number(text: str, key: bytes) -> ResidentNumber:
    """Validate ``text`` and return its keyed hash and masked form; the clear number is not kept."""
    if len(key) < 16:
        raise ValueError("resident-number hash key must be at least 16 bytes")
    # Full-width digits (０-９) from some input methods are the same number.
    match = _RRN.match(unicodedata.normalize("NFKC", text).strip().replace(" ", ""))
    if not match:
        raise InvalidResidentNumber("주민등록번호 must be 13 digits: YYMMDD-NNNNNNN")
    birth, flag, rest = match.groups()
    century = _CENTURY.get(flag)
    if century is None:
        raise InvalidResidentNumber("주민등록번호: the 7th digit is not a valid sex/century digit")
    year = century + int(birth[:2])
    try:
        dt.date(year, int(birth[2:4]), int(birth[4:6]))
    except ValueError:
        raise InvalidResidentNumber("주민등록번호: the first six digits are not a date of birth") from None
    digest = hmac.new(key, (birth + flag + rest).encode(), hashlib.sha256).hexdigest()
    sex = "M" if int(flag) % 2 == 1 else "F"
    return ResidentNumber(hash=digest, masked=f"{birth}-{flag}******", birth_year=year, sex=sex)


def mask_resident_numbers_in_text(text: str) -> str:
    """Replace anything shaped like a 주민등록번호 in free text with its masked form."""
    return RRN_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}-{m.group(4)}******", text)
