"""주민등록번호: validation, keyed hash, masked form, birth year and sex; masking in free text."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.citizens.rrn import ResidentNumber, mask_resident_numbers_in_text, protect_resident_number
from crm.errors import InvalidResidentNumber

KEY = b"0123456789abcdef"  # exactly the 16-byte minimum
OTHER_KEY = b"fedcba9876543210-another-key"


def test_masked_form_and_derived_fields() -> None:
    protected = protect_resident_number("900101-1234567", KEY)
    assert protected.masked == "900101-1******"
    assert protected.birth_year == 1990
    assert protected.sex == "M"


def test_hash_is_hmac_sha256_of_the_thirteen_digits_under_the_key() -> None:
    expected = hmac.new(KEY, b"9001011234567", hashlib.sha256).hexdigest()
    assert protect_resident_number("900101-1234567", KEY).hash == expected


@pytest.mark.parametrize(
    "written", ["900101-1234567", "9001011234567", " 900101-1234567 ", "900101 1234567", "900101 - 1234567"]
)
def test_written_forms_of_one_number_are_equal(written: str) -> None:
    assert protect_resident_number(written, KEY) == protect_resident_number("900101-1234567", KEY)


def test_hash_depends_on_the_key() -> None:
    assert (
        protect_resident_number("900101-1234567", KEY).hash != protect_resident_number("900101-1234567", OTHER_KEY).hash
    )


def test_different_numbers_with_the_same_masked_form_hash_differently() -> None:
    first = protect_resident_number("900101-1234567", KEY)
    second = protect_resident_number("900101-1234568", KEY)
    assert first.masked == second.masked
    assert first.hash != second.hash


@pytest.mark.parametrize(
    ("written", "birth_year", "sex"),
    [
        ("900101-1234567", 1990, "M"),  # 1: man born 1900-1999
        ("991231-2234567", 1999, "F"),  # 2: woman born 1900-1999
        ("000101-3234567", 2000, "M"),  # 3: man born 2000-
        ("100315-4234567", 2010, "F"),  # 4: woman born 2000-
        ("850505-5234567", 1985, "M"),  # 5: foreign man born 1900-1999
        ("850505-6234567", 1985, "F"),  # 6: foreign woman born 1900-1999
        ("050505-7234567", 2005, "M"),  # 7: foreign man born 2000-
        ("050505-8234567", 2005, "F"),  # 8: foreign woman born 2000-
        ("991231-9234567", 1899, "M"),  # 9: man born 1800-1899
        ("991231-0234567", 1899, "F"),  # 0: woman born 1800-1899
    ],
)
def test_birth_year_and_sex_from_the_seventh_digit(written: str, birth_year: int, sex: str) -> None:
    protected = protect_resident_number(written, KEY)
    assert (protected.birth_year, protected.sex) == (birth_year, sex)
    assert protected.masked == f"{written[:6]}-{written[7]}******"


def test_leap_days_follow_the_century() -> None:
    assert protect_resident_number("000229-3234567", KEY).birth_year == 2000  # 2000 was a leap year
    assert protect_resident_number("960229-1234567", KEY).birth_year == 1996
    with pytest.raises(InvalidResidentNumber, match="date of birth"):
        protect_resident_number("000229-1234567", KEY)  # 1900 was not
    with pytest.raises(InvalidResidentNumber, match="date of birth"):
        protect_resident_number("010229-3234567", KEY)


@pytest.mark.parametrize(
    "written",
    [
        "900230-1234567",
        "900431-1234567",
        "901301-1234567",
        "900001-1234567",
        "900100-1234567",
        "900132-1234567",
        "000000-3234567",
    ],
)
def test_impossible_dates_are_rejected(written: str) -> None:
    with pytest.raises(InvalidResidentNumber, match="date of birth") as caught:
        protect_resident_number(written, KEY)
    assert caught.value.code == "invalid-resident-number"


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "900101-123456",
        "900101-12345678",
        "90010-11234567",
        "9001011-234567",
        "900101--1234567",
        "abcdef-1234567",
        "900101-12345a7",
        "900101_1234567",
        "900101—1234567",
        "900101-1234567-1",
        "1900101-1234567",
    ],
)
def test_malformed_numbers_are_rejected(written: str) -> None:
    with pytest.raises(InvalidResidentNumber, match="13 digits") as caught:
        protect_resident_number(written, KEY)
    assert caught.value.code == "invalid-resident-number"


@pytest.mark.parametrize("key", [b"", b"short", b"0123456789abcde"])
def test_key_shorter_than_16_bytes_is_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        protect_resident_number("900101-1234567", key)


def test_short_key_is_refused_before_the_number_is_looked_at() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        protect_resident_number("not a number", b"short")


def test_clear_number_is_not_kept() -> None:
    protected = protect_resident_number("900101-1234567", KEY)
    shown = repr(protected) + str(protected) + repr(vars(protected))
    for fragment in ("9001011234567", "900101-1234567", "1234567", "234567"):
        assert fragment not in shown
    assert set(vars(protected)) == {"hash", "masked", "birth_year", "sex"}


def _rrn_strategy() -> st.SearchStrategy[str]:
    def build(birth: dt.date, flag_index: int, rest: str) -> str:
        flag = ("1256" if birth.year < 2000 else "3478")[flag_index]  # native man/woman, foreign man/woman
        return f"{birth:%y%m%d}-{flag}{rest}"

    return st.builds(
        build,
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
        st.integers(0, 3),
        st.text(alphabet="0123456789", min_size=6, max_size=6),
    )


@settings(max_examples=200, deadline=None)
@given(_rrn_strategy())
def test_any_valid_number_round_trips_to_its_birth_date_and_never_shows_its_tail(rrn: str) -> None:
    protected = protect_resident_number(rrn, KEY)
    assert protected.masked == rrn[:8] + "******"
    assert protected.birth_year % 100 == int(rrn[:2])
    assert protected.sex == ("M" if int(rrn[7]) % 2 else "F")
    assert rrn not in repr(protected)
    assert rrn.replace("-", "") not in repr(protected)
    assert len(protected.hash) == 64 and int(protected.hash, 16) >= 0
    # equal numbers give equal hashes, in any written form
    assert protect_resident_number(rrn.replace("-", ""), KEY).hash == protected.hash


@settings(max_examples=100, deadline=None)
@given(_rrn_strategy(), _rrn_strategy())
def test_different_numbers_give_different_hashes(first: str, second: str) -> None:
    same = first.replace("-", "") == second.replace("-", "")
    assert (protect_resident_number(first, KEY).hash == protect_resident_number(second, KEY).hash) is same


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_arbitrary_text_only_ever_raises_invalid_resident_number(text: str) -> None:
    try:
        protected = protect_resident_number(text, KEY)
    except InvalidResidentNumber:
        return
    assert isinstance(protected, ResidentNumber)


# --- masking in free text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rrn 900101-1234567 end", "rrn 900101-1****** end"),
        ("9001011234567", "900101-1******"),
        ("900101 - 1234567", "900101-1******"),
        ("900101 1234567", "900101-1******"),
        ("주민번호900101-2234567입니다", "주민번호900101-2******입니다"),
        ("외국인 050505-7234567", "외국인 050505-7******"),
        ("900101-1234567\n000102-4234567", "900101-1******\n000102-4******"),
        # not shaped like a 주민등록번호: left alone
        ("901301-1234567", "901301-1234567"),  # month 13
        ("900132-1234567", "900132-1234567"),  # day 32
        ("1900101-1234567", "1900101-1234567"),  # more digits before
        ("900101-12345678", "900101-12345678"),  # more digits after
        ("call 010-1234-5678", "call 010-1234-5678"),
        ("", ""),
    ],
)
def test_mask_resident_numbers_in_text(text: str, expected: str) -> None:
    assert mask_resident_numbers_in_text(text) == expected


@settings(max_examples=200, deadline=None)
@given(_rrn_strategy(), st.text(alphabet="가나다 abc:,", max_size=10), st.text(alphabet="가나다 abc:,", max_size=10))
def test_every_valid_number_in_text_is_masked(rrn: str, before: str, after: str) -> None:
    masked = mask_resident_numbers_in_text(f"{before}{rrn}{after}")
    assert masked == f"{before}{rrn[:8]}******{after}"


def test_full_width_digits_are_the_same_number() -> None:
    ascii_form = protect_resident_number("900101-1234567", KEY)
    full_width = protect_resident_number("９００１０１－１２３４５６７", KEY)
    assert full_width == ascii_form and full_width.masked == "900101-1******"
