"""Korean phone numbers: every written form normalised to one national form, with kind and masking.

Uses Google's libphonenumber metadata (``phonenumbers``) rather than hand-kept
prefix tables. A phone number is never an identity by itself: 050 안심번호,
office switchboards and recycled 010 numbers are shared.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from crm.errors import InvalidPhoneNumber

_ALLOWED = re.compile(r"^[0-9+()\-.\s]+$")


class PhoneKind(enum.StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    VOIP = "voip"  # 070
    SAFE_NUMBER = "safe-number"  # 050x 안심번호 / personal numbers: shared by design
    SERVICE = "service"  # 1588-xxxx style representative numbers


_KINDS = {
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.LANDLINE,
    PhoneNumberType.VOIP: PhoneKind.VOIP,
    PhoneNumberType.PERSONAL_NUMBER: PhoneKind.SAFE_NUMBER,
    PhoneNumberType.UAN: PhoneKind.SERVICE,
}


@dataclass(frozen=True)
class PhoneNumber:
    """A normalised Korean number. ``digits`` is the national form without separators (01012345678)."""

    digits: str
    display: str
    kind: PhoneKind

    @property
    def masked(self) -> str:
        """For logs and lists: keeps the prefix and last 4 digits (010-****-5678)."""
        parts = self.display.split("-")
        if len(parts) == 3:
            return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
        if len(parts) == 2:
            return f"{'*' * len(parts[0])}-{parts[1]}"
        return "*" * (len(self.digits) - 4) + self.digits[-4:]

    @property
    def area_code(self) -> str | None:
        """The geographic area code of a landline (02, 031, …), used to pick a local 120 center."""
        if self.kind is not PhoneKind.LANDLINE:
            return None
        return self.display.split("-")[0]

    @property
    def shared_by_design(self) -> bool:
        return self.kind in (PhoneKind.SAFE_NUMBER, PhoneKind.SERVICE)


def normalize_phone(text: str) -> PhoneNumber:
    """Parse any Korean written form (010-1234-5678, 02-123-4567, 0311234567, +82 10 …, 0082 …).

    Raises ``InvalidPhoneNumber`` with the reason for anything that is not a
    dialable Korean subscriber number.
    """
    raw = text.strip()
    if not raw:
        raise InvalidPhoneNumber("phone number is empty")
    if len(raw) > 32 or not _ALLOWED.match(raw):
        raise InvalidPhoneNumber(f"'{raw[:32]}' contains characters that are not part of a phone number")
    compact = re.sub(r"[\s().\-]", "", raw)
    if compact.startswith("0082"):
        compact = "+82" + compact[4:]
    if "+" in compact[1:]:
        raise InvalidPhoneNumber("'+' may only start an international number")
    try:
        parsed = phonenumbers.parse(compact, "KR")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {exc}") from None
    if parsed.country_code != 82:
        raise InvalidPhoneNumber(f"not a Korean number (country code +{parsed.country_code})")
    if not compact.startswith("+") and not compact.startswith("0") and len(compact) != 8:
        # '1012345678' without the trunk 0 is a typo, not a number; 8-digit 15xx/16xx/18xx are fine.
        raise InvalidPhoneNumber(f"'{raw}' lacks the leading 0 of a Korean number")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"'{raw}' is not a valid Korean number (wrong length or unknown prefix)")
    kind = _KINDS.get(phonenumbers.number_type(parsed))
    if kind is None:
        raise InvalidPhoneNumber(f"'{raw}' is not a subscriber number")
    if kind is not PhoneKind.SERVICE and not compact.startswith(("+", "0")):
        # An 8-digit '2123-4567' would otherwise be read as Seoul 02-123-4567: only 15xx/16xx/18xx lack the 0.
        raise InvalidPhoneNumber(f"'{raw}' lacks the leading 0 of a Korean number")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    display = _display(digits, national)
    return PhoneNumber(digits=digits, display=display, kind=kind)


def _display(digits: str, national: str) -> str:
    # libphonenumber groups 0502-xxxx-xxxx oddly; use the written Korean grouping for 050x.
    if digits.startswith("050") and len(digits) == 12:
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    if digits.startswith("050") and len(digits) == 11:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    return national.replace(" ", "-")


# Every prefix style normalize_phone accepts: 0…, (0…), +82 / 0082 (with or without a stray (0) or 0).
PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?P<prefix>(?:(?:\+|00)82[\s-]?(?:\(0\)[\s-]?|0)?|\(?0)(?:1[016789]|2|[3-6][1-5]|70|50\d?)\)?)"
    r"(?P<middle>[\s.-]?\d{3,4}[\s.-]?)(?P<last>\d{4})(?!\d)"
)


def mask_phones_in_text(text: str) -> str:
    """Replace anything that looks like a Korean phone number in free text (used by the log filter)."""

    def hide(match: re.Match[str]) -> str:
        # Keep the prefix (however long: 02, 031, 0505, +82 10) and the last 4; hide the whole middle group.
        return match["prefix"] + re.sub(r"\d", "*", match["middle"]) + match["last"]

    return PHONE_IN_TEXT.sub(hide, text)
