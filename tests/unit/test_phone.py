"""Korean phone numbers: normalisation of every written form, kinds, masking, rejection, free-text masking."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.citizens.phone import PhoneKind, PhoneNumber, mask_phones_in_text, normalize_phone
from crm.errors import InvalidPhoneNumber
from kernel.errors import DomainError

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The geographic area codes of Korea (서울 02, 경기 031 … 제주 064).
AREA_CODES = (
    "02",
    "031",
    "032",
    "033",
    "041",
    "042",
    "043",
    "044",
    "051",
    "052",
    "053",
    "054",
    "055",
    "061",
    "062",
    "063",
    "064",
)


# --- every written form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "digits", "display", "kind"),
    [
        # mobile
        ("010-1234-5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("01012345678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("010 1234 5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("010.1234.5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("(010) 1234-5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("+82 10 1234 5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("+82-10-1234-5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("+821012345678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("+82 010 1234 5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),  # trunk 0 kept by mistake
        ("0082-10-1234-5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("0082 10 1234 5678", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("  010-1234-5678\t", "01012345678", "010-1234-5678", PhoneKind.MOBILE),
        ("011-123-4567", "0111234567", "011-123-4567", PhoneKind.MOBILE),  # pre-010 numbers still ring
        ("016-1234-5678", "01612345678", "016-1234-5678", PhoneKind.MOBILE),
        # landline, Seoul (02) with 3- and 4-digit exchanges
        ("02-123-4567", "021234567", "02-123-4567", PhoneKind.LANDLINE),
        ("02-1234-5678", "0212345678", "02-1234-5678", PhoneKind.LANDLINE),
        ("021234567", "021234567", "02-123-4567", PhoneKind.LANDLINE),
        ("(02) 123-4567", "021234567", "02-123-4567", PhoneKind.LANDLINE),
        ("(02)123-4567", "021234567", "02-123-4567", PhoneKind.LANDLINE),
        ("+82 2 123 4567", "021234567", "02-123-4567", PhoneKind.LANDLINE),
        ("0082-2-1234-5678", "0212345678", "02-1234-5678", PhoneKind.LANDLINE),
        # landline, provinces
        ("0311234567", "0311234567", "031-123-4567", PhoneKind.LANDLINE),
        ("031-123-4567", "0311234567", "031-123-4567", PhoneKind.LANDLINE),
        ("(031) 1234-5678", "03112345678", "031-1234-5678", PhoneKind.LANDLINE),
        ("051.123.4567", "0511234567", "051-123-4567", PhoneKind.LANDLINE),
        ("044-123-4567", "0441234567", "044-123-4567", PhoneKind.LANDLINE),  # 세종
        ("064-123-4567", "0641234567", "064-123-4567", PhoneKind.LANDLINE),  # 제주
        # internet telephony
        ("070-1234-5678", "07012345678", "070-1234-5678", PhoneKind.VOIP),
        ("+82 70 1234 5678", "07012345678", "070-1234-5678", PhoneKind.VOIP),
        # 050x 안심번호 / personal numbers, 11 and 12 digits
        ("0505-123-4567", "05051234567", "0505-123-4567", PhoneKind.SAFE_NUMBER),
        ("05051234567", "05051234567", "0505-123-4567", PhoneKind.SAFE_NUMBER),
        ("0502-1234-5678", "050212345678", "0502-1234-5678", PhoneKind.SAFE_NUMBER),
        ("050412345678", "050412345678", "0504-1234-5678", PhoneKind.SAFE_NUMBER),
        ("0507 1234 5678", "050712345678", "0507-1234-5678", PhoneKind.SAFE_NUMBER),
        # 8-digit representative numbers: no trunk 0 by design
        ("1588-1234", "15881234", "1588-1234", PhoneKind.SERVICE),
        ("15881234", "15881234", "1588-1234", PhoneKind.SERVICE),
        ("1577-1234", "15771234", "1577-1234", PhoneKind.SERVICE),
        ("1600-1234", "16001234", "1600-1234", PhoneKind.SERVICE),
        ("1899-1234", "18991234", "1899-1234", PhoneKind.SERVICE),
        ("+82 1588 1234", "15881234", "1588-1234", PhoneKind.SERVICE),
    ],
)
def test_written_forms_normalise(written: str, digits: str, display: str, kind: PhoneKind) -> None:
    phone = normalize_phone(written)
    assert phone == PhoneNumber(digits=digits, display=display, kind=kind)


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("02-123-4567", "02-***-4567"),
        ("02-1234-5678", "02-****-5678"),
        ("031-123-4567", "031-***-4567"),
        ("070-1234-5678", "070-****-5678"),
        ("0505-123-4567", "0505-***-4567"),
        ("0502-1234-5678", "0502-****-5678"),
        ("1588-1234", "****-1234"),
    ],
)
def test_masked_keeps_prefix_and_last_four(written: str, masked: str) -> None:
    assert normalize_phone(written).masked == masked


@pytest.mark.parametrize(
    ("written", "area_code"),
    [
        ("02-123-4567", "02"),
        ("(02) 1234-5678", "02"),
        ("0311234567", "031"),
        ("+82 51 123 4567", "051"),
        ("064-123-4567", "064"),
        # only landlines have a geographic area code
        ("010-1234-5678", None),
        ("070-1234-5678", None),
        ("0505-123-4567", None),
        ("1588-1234", None),
    ],
)
def test_area_code_only_for_landlines(written: str, area_code: str | None) -> None:
    assert normalize_phone(written).area_code == area_code


@pytest.mark.parametrize(
    ("written", "shared"),
    [
        ("010-1234-5678", False),
        ("02-123-4567", False),
        ("070-1234-5678", False),
        ("0505-123-4567", True),
        ("1588-1234", True),
    ],
)
def test_safe_and_service_numbers_are_shared_by_design(written: str, shared: bool) -> None:
    assert normalize_phone(written).shared_by_design is shared


# --- rejection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        # empty
        "",
        "   ",
        "\t\n",
        # wrong length
        "010-1234-56789",
        "010-123-45",
        "02-12-3456",
        "02-12345-67890",
        "031-12-345",
        "0505-12-34",
        "1588-123",
        "1588-12345",
        "010",
        # letters and other characters
        "abc",
        "010-12a4-5678",
        "010-1234-567８",
        "０１０-１２３４-５６７８",
        "010/1234/5678",
        "010–1234–5678",
        "tel:01012345678",
        "010-1234-5678 (집)",
        # foreign numbers
        "+1 212 555 1234",
        "001-1-212-555-1234",
        "+44 20 7946 0958",
        "+81 3 1234 5678",
        "0081-3-1234-5678",
        # missing trunk 0
        "1012345678",
        "10-1234-5678",
        "82-10-1234-5678",
        "311234567",
        "2-123-4567",
        "21234567",
        "2345-6789",
        # unknown prefixes and non-subscriber numbers
        "030-1234-5678",
        "0303-123-4567",
        "060-123-4567",
        "080-123-4567",
        "015-1234-5678",
        # short codes are not subscriber numbers
        "112",
        "119",
        "120",
        # '+' anywhere but the start
        "010+1234-5678",
        "+82+10-1234-5678",
        # bare prefixes
        "+",
        "+82",
        "0082",
        "-",
        "()",
        "...",
        # too long to be anything
        "0" * 33,
        "1" * 32,
    ],
)
def test_impossible_numbers_are_rejected(written: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone(written)
    assert caught.value.code == "invalid-phone-number"
    assert caught.value.message


def test_rejection_names_the_reason() -> None:
    with pytest.raises(InvalidPhoneNumber, match="empty"):
        normalize_phone("  ")
    with pytest.raises(InvalidPhoneNumber, match="characters"):
        normalize_phone("010-abcd-5678")
    with pytest.raises(InvalidPhoneNumber, match=r"country code \+1"):
        normalize_phone("+1 212 555 1234")
    with pytest.raises(InvalidPhoneNumber, match="leading 0"):
        normalize_phone("1012345678")
    with pytest.raises(InvalidPhoneNumber, match="leading 0"):
        normalize_phone("2-123-4567")


# --- properties -------------------------------------------------------------------------------------------

SEPARATORS = st.sampled_from(["-", " ", ".", ""])
MOBILE_PREFIXES = st.sampled_from(
    ["010", "(010)", "+82 10", "+82-10", "+8210", "+82 010", "0082-10", "0082 10", "008210"]
)
digits4 = st.text(alphabet="0123456789", min_size=4, max_size=4)
# libphonenumber's metadata (which the module trusts over hand-kept tables) leaves 010-5970..5999 unassigned.
mobile_middle = digits4.filter(lambda m: not "5970" <= m <= "5999")


@st.composite
def landline_parts(draw: st.DrawFn) -> tuple[str, str, str]:
    area = draw(st.sampled_from(AREA_CODES))
    exchange_length = draw(st.sampled_from([3, 4]))
    exchange = draw(st.sampled_from("23456789")) + draw(
        st.text(alphabet="0123456789", min_size=exchange_length - 1, max_size=exchange_length - 1)
    )
    return area, exchange, draw(digits4)


@FAST
@given(MOBILE_PREFIXES, SEPARATORS, SEPARATORS, mobile_middle, digits4, st.sampled_from(["", " ", "\t"]))
def test_every_written_form_of_a_mobile_number_gives_the_same_digits(
    prefix: str, sep1: str, sep2: str, middle: str, last: str, pad: str
) -> None:
    written = f"{pad}{prefix}{sep1}{middle}{sep2}{last}{pad}"
    phone = normalize_phone(written)
    assert phone.digits == f"010{middle}{last}"
    assert phone.display == f"010-{middle}-{last}"
    assert phone.kind is PhoneKind.MOBILE
    assert phone.masked == f"010-****-{last}"


@FAST
@given(landline_parts(), SEPARATORS, SEPARATORS, st.sampled_from(["national", "paren", "+82", "0082"]))
def test_every_written_form_of_a_landline_gives_the_same_digits(
    parts: tuple[str, str, str], sep1: str, sep2: str, style: str
) -> None:
    area, exchange, last = parts
    head = {"national": area, "paren": f"({area})", "+82": f"+82 {area[1:]}", "0082": f"0082-{area[1:]}"}[style]
    phone = normalize_phone(f"{head}{sep1}{exchange}{sep2}{last}")
    assert phone.digits == f"{area}{exchange}{last}"
    assert phone.display == f"{area}-{exchange}-{last}"
    assert phone.kind is PhoneKind.LANDLINE
    assert phone.area_code == area


def _valid_numbers() -> st.SearchStrategy[str]:
    mobile = st.builds(lambda m, last: f"010{m}{last}", mobile_middle, digits4)
    landline = landline_parts().map(lambda p: "".join(p))
    voip = st.builds(lambda m, last: f"070{m}{last}", digits4, digits4)
    safe = st.builds(lambda n, m, last: f"050{n}{m}{last}", st.sampled_from("2345678"), digits4, digits4)
    service = st.builds(
        lambda p, last: f"{p}{last}", st.sampled_from(["1588", "1577", "1544", "1600", "1899"]), digits4
    )
    return st.one_of(mobile, landline, voip, safe, service)


@FAST
@given(_valid_numbers())
def test_normalisation_is_idempotent(number: str) -> None:
    phone = normalize_phone(number)
    assert normalize_phone(phone.display) == phone
    assert normalize_phone(phone.digits) == phone
    assert re.sub(r"\D", "", phone.display) == phone.digits


@FAST
@given(_valid_numbers())
def test_masked_form_hides_everything_but_prefix_and_last_four(number: str) -> None:
    phone = normalize_phone(number)
    parts = phone.display.split("-")
    visible = re.sub(r"\D", "", phone.masked)
    assert phone.masked.endswith(phone.digits[-4:])
    assert visible == (parts[0] if len(parts) == 3 else "") + phone.digits[-4:]
    assert len(phone.masked) == len(phone.display)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789+-(). \t82", max_size=40)))
def test_arbitrary_text_only_ever_raises_invalid_phone_number(text: str) -> None:
    try:
        phone = normalize_phone(text)
    except InvalidPhoneNumber as exc:
        assert isinstance(exc, DomainError)
        return
    # Whatever is accepted is a Korean number in national form that normalises to itself.
    assert phone.digits.isascii() and phone.digits.isdigit()
    assert phone.digits.startswith(("0", "15", "16", "18"))
    assert normalize_phone(phone.display) == phone


# --- masking in free text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 010-1234-5678 now", "call 010-****-5678 now"),
        ("010 1234 5678", "010 **** 5678"),
        ("tel:01012345678.", "tel:010****5678."),
        ("031.123.4567", "031.***.4567"),
        ("02-1234-5678", "02-****-5678"),
        ("070-1234-5678", "070-****-5678"),
        ("+82-10-1234-5678", "+82-10-****-5678"),
        ("+82 10 1234 5678", "+82 10 **** 5678"),
        ("0505-123-4567", "0505-***-4567"),
        ("021234567", "02***4567"),
        ("민원인 연락처010-1234-5678입니다", "민원인 연락처010-****-5678입니다"),
        ("a 010-1111-2222, b 02-333-4444", "a 010-****-2222, b 02-***-4444"),
        # not phone numbers: left alone
        ("1588-1234", "1588-1234"),
        ("case 2025-ACRC110-1234567", "case 2025-ACRC110-1234567"),
        ("9001011234567", "9001011234567"),
        ("", ""),
    ],
)
def test_mask_phones_in_text(text: str, expected: str) -> None:
    assert mask_phones_in_text(text) == expected


@pytest.mark.parametrize(
    "written",
    [
        "(02) 123-4567",
        "(031) 1234-5678",
        "0082-10-1234-5678",
        "0082 2 123 4567",
        "+82 010 1234 5678",
        "+82 (0)10 1234 5678",
    ],
)
def test_mask_phones_in_text_covers_every_accepted_prefix_style(written: str) -> None:
    phone = normalize_phone(written)  # the normaliser accepts this form, so logs must not leak it
    masked = mask_phones_in_text(f"caller {written} asked")
    assert masked.startswith("caller ") and masked.endswith(" asked")
    middle = phone.display.split("-")[1]
    assert middle not in masked
    assert masked.endswith(f"{phone.digits[-4:]} asked")


CONTEXT = st.text(alphabet="가나다라마 abcXYZ:,", max_size=12)


@FAST
@given(
    st.one_of(
        st.tuples(MOBILE_PREFIXES, mobile_middle, digits4),
        st.tuples(landline_parts(), st.booleans()).map(lambda x: (f"({x[0][0]})" if x[1] else x[0][0], *x[0][1:])),
        st.tuples(st.sampled_from(["070", "+82 70", "0502", "0504", "0507"]), digits4, digits4),
        st.tuples(st.sampled_from(["0503", "0505"]), st.text(alphabet="0123456789", min_size=3, max_size=3), digits4),
    ),
    SEPARATORS,
    SEPARATORS,
    CONTEXT,
    CONTEXT,
)
def test_numbers_in_free_text_are_masked_whatever_their_form(
    parts: tuple[str, str, str], sep1: str, sep2: str, before: str, after: str
) -> None:
    head, middle, last = parts
    written = f"{head}{sep1}{middle}{sep2}{last}"
    normalize_phone(written)  # a form the normaliser accepts
    result = mask_phones_in_text(f"{before} {written} {after}")
    assert result.startswith(f"{before} ") and result.endswith(f" {after}")
    shown = result[len(before) + 1 : len(result) - len(after) - 1]
    written_digits = re.sub(r"\D", "", written)
    shown_digits = re.sub(r"\D", "", shown)
    # the last four stay for recognition; at least the whole middle group is hidden
    assert shown_digits.endswith(last)
    assert shown.count("*") >= len(middle)
    assert len(shown_digits) <= len(written_digits) - len(middle)
