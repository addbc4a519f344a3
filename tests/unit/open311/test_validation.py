"""Submission checks: every rule refuses with a Korean description naming the field; good ones pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.open311.catalog import load_catalog
from crm.open311.errors import JurisdictionNotFound, Open311Invalid, ServiceCodeNotFound
from crm.open311.intake import fingerprint, route
from crm.open311.model import Location, Submission
from crm.open311.validation import is_app_request_id, is_w3c_datetime, phone_digits, validate
from kernel.centers import Center

CENTERS = [
    Center(code="ACRC110", name="정부민원안내콜센터", institution="국민권익위원회", public_number="110", region="전국"),
    Center(code="SEOUL120", name="120다산콜재단", institution="서울특별시", public_number="120", region="서울특별시"),
    Center(code="BUSAN120", name="120바로콜센터", institution="부산광역시", public_number="120", region="부산광역시"),
    Center(code="NTS126", name="국세상담센터", institution="국세청", public_number="126", region="전국"),
]
CATALOG = load_catalog(CENTERS)
GOOD = Submission(
    service_code="ROAD-DAMAGE",
    description="보도블록이 깨져 있습니다.",
    location=Location(address_string="서울특별시 중구 세종대로 110"),
    attributes={"damage_type": ("sidewalk",)},
)


def sub(**changes: Any) -> Submission:
    return dataclasses.replace(GOOD, **changes)


def refused(submission: Submission, field: str) -> str:
    with pytest.raises(Open311Invalid) as caught:
        validate(submission, CATALOG)
    assert caught.value.details.get("field") == field
    assert any("\uac00" <= ch <= "\ud7a3" for ch in caught.value.message), "a Korean description"
    return caught.value.message


def test_a_good_submission_passes() -> None:
    assert validate(GOOD, CATALOG).code == "ROAD-DAMAGE"
    national = Submission("NATIONAL-TAX", "연말정산 문의", Location(lat=37.5, long=127.0), jurisdiction_id="국세청")
    assert validate(national, CATALOG).code == "NATIONAL-TAX"


def test_service_code_required_and_known_and_of_the_jurisdiction() -> None:
    refused(sub(service_code=""), "service_code")
    with pytest.raises(ServiceCodeNotFound):
        validate(sub(service_code="NOPE"), CATALOG)
    with pytest.raises(ServiceCodeNotFound):
        validate(sub(jurisdiction_id="국세청"), CATALOG)
    with pytest.raises(JurisdictionNotFound):
        validate(sub(jurisdiction_id="없는 기관"), CATALOG)


def test_description_is_required_and_at_most_4000_characters() -> None:
    refused(sub(description="   "), "description")
    assert "4,000" in refused(sub(description="가" * 4001), "description")
    assert validate(sub(description="  " + "가" * 4000 + "  "), CATALOG)


def test_location_rules() -> None:
    assert "위치" in refused(sub(location=Location()), "lat")
    refused(sub(location=Location(lat=37.5)), "lat")
    refused(sub(location=Location(lat=95.0, long=127.0)), "lat")
    refused(sub(location=Location(lat=float("nan"), long=127.0)), "lat")
    assert "서비스 지역" in refused(sub(location=Location(lat=35.68, long=139.69)), "lat")
    refused(sub(location=Location(address_string="가" * 301)), "address_string")
    refused(sub(location=Location(address_id="x" * 101)), "address_id")
    assert validate(sub(location=Location(address_id="1111010100100010000")), CATALOG)
    assert validate(sub(location=Location(lat=37.5665, long=126.978)), CATALOG)


def test_attribute_rules() -> None:
    refused(sub(attributes={}), "attribute[damage_type]")
    refused(sub(attributes={"damage_type": ("crater",)}), "attribute[damage_type]")
    refused(sub(attributes={"damage_type": ("pothole", "sinkhole")}), "attribute[damage_type]")
    refused(sub(attributes={"damage_type": ("pothole",), "colour": ("red",)}), "attribute[colour]")
    refused(sub(attributes={"damage_type": ("pothole",), "size_cm": ("big",)}), "attribute[size_cm]")
    assert validate(sub(attributes={"damage_type": ("pothole",), "size_cm": ("30.5",)}), CATALOG)
    noise = sub(service_code="NOISE", attributes={"source": ("construction", "loudspeaker")})
    assert validate(noise, CATALOG)
    refused(dataclasses.replace(noise, attributes={"source": ("construction", "elephant")}), "attribute[source]")
    parking = sub(service_code="ILLEGAL-PARKING", attributes={"vehicle_number": ("12가3456",)})
    assert validate(dataclasses.replace(parking, attributes={**parking.attributes,
                                        "observed_at": ("2026-12-07T09:30:00+09:00",)}), CATALOG)  # fmt: skip
    refused(
        dataclasses.replace(parking, attributes={**parking.attributes, "observed_at": ("어제",)}),
        "attribute[observed_at]",
    )
    refused(dataclasses.replace(parking, attributes={"vehicle_number": ("x" * 301,)}), "attribute[vehicle_number]")


def test_contact_rules() -> None:
    refused(sub(email="not-an-email"), "email")
    refused(sub(email="a@" + "b" * 250 + ".kr"), "email")
    assert validate(sub(email="citizen@example.kr"), CATALOG)
    refused(sub(phone="12345"), "phone")
    refused(sub(phone="010-1234-567a"), "phone")
    assert validate(sub(phone="+82 10-1234-5678"), CATALOG)
    refused(sub(first_name="가" * 51), "first_name")
    refused(sub(last_name="가" * 51), "last_name")
    refused(sub(media_url="ftp://example.kr/x.jpg"), "media_url")
    refused(sub(media_url="javascript:alert(1)"), "media_url")
    refused(sub(media_url="https://example.kr/" + "x" * 2048), "media_url")
    assert validate(sub(media_url="https://example.kr/photo.jpg"), CATALOG)
    refused(sub(device_id="d" * 101), "device_id")
    refused(sub(account_id="a" * 101), "account_id")
    refused(sub(app_request_id="한글키"), "app_request_id")
    refused(sub(app_request_id="x" * 101), "app_request_id")
    assert validate(sub(app_request_id="req-2026-0001"), CATALOG)


@pytest.mark.parametrize(
    ("phone", "digits"),
    [("010-1234-5678", "01012345678"), ("02 123 4567", "021234567"), ("+82 10 1234 5678", "01012345678"),
     ("+82-2-123-4567", "021234567"), ("12345678", None), ("010123456789", None), ("０１０１２３４５６７８", None)],
)  # fmt: skip
def test_phone_digits(phone: str, digits: str | None) -> None:
    assert phone_digits(phone) == digits


@given(st.text(alphabet=string.digits, min_size=9, max_size=11))
def test_any_nine_to_eleven_digits_are_a_phone(digits: str) -> None:
    assert phone_digits(digits) == digits


@given(st.text(min_size=1, max_size=120))
def test_app_request_ids_are_printable_ascii_up_to_100(value: str) -> None:
    expected = len(value) <= 100 and all(33 <= ord(c) <= 126 for c in value)
    assert is_app_request_id(value) == expected


OFFSETS = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=9)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=OFFSETS))
def test_any_aware_isoformat_is_a_w3c_datetime(moment: dt.datetime) -> None:
    assert is_w3c_datetime(moment.isoformat(timespec="seconds"))
    assert is_w3c_datetime(moment.date().isoformat())


@pytest.mark.parametrize("value", ["2026-13-01", "2026-12-07T09:30", "07/12/2026", "2026-12-07 09:30:00+09:00"])
def test_not_w3c_datetimes(value: str) -> None:
    assert not is_w3c_datetime(value)


@given(st.text(max_size=4000))
def test_validation_never_fails_other_than_with_its_errors(description: str) -> None:
    try:
        validate(sub(description=description), CATALOG)
    except Open311Invalid as error:
        assert error.details["field"] == "description"


def test_routing_of_local_and_national_services() -> None:
    road = CATALOG.service("ROAD-DAMAGE")
    tax = CATALOG.service("NATIONAL-TAX")
    assert road is not None and tax is not None
    assert route(road, GOOD, CATALOG) == ("SEOUL120", "서울특별시")
    assert route(road, sub(location=Location(lat=35.18, long=129.07)), CATALOG) == ("BUSAN120", "부산광역시")
    assert route(road, sub(location=Location(address_string="충남 천안시")), CATALOG) == ("ACRC110", "국민권익위원회")
    assert route(road, sub(location=Location(address_id="x")), CATALOG) == ("ACRC110", "국민권익위원회")
    both = sub(location=Location(lat=35.18, long=129.07, address_string="서울 중구"))
    assert route(road, both, CATALOG)[0] == "SEOUL120", "the address wins over the point"
    assert route(road, sub(location=Location(address_id="x"), jurisdiction_id="부산광역시"), CATALOG)[0] == "BUSAN120"
    with pytest.raises(Open311Invalid):
        route(road, sub(jurisdiction_id="부산광역시"), CATALOG)
    assert route(tax, GOOD, CATALOG) == ("NTS126", "국세청")


def test_the_fingerprint_ignores_case_and_spacing_but_not_the_place() -> None:
    assert fingerprint(GOOD) == fingerprint(sub(description="  보도블록이   깨져 있습니다. "))
    assert fingerprint(GOOD) != fingerprint(sub(location=Location(address_string="부산 중구")))
    near = sub(location=Location(lat=37.5661, long=126.9781))
    assert fingerprint(near) == fingerprint(sub(location=Location(lat=37.5664, long=126.9779)))
    assert fingerprint(near) != fingerprint(sub(location=Location(lat=37.5761, long=126.9781)))
