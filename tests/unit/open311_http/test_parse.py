"""Reading Open311 requests: form bodies with attribute[code]=v, flat JSON bodies, UTF-8 only, and the
filters of GET requests (comma lists, open|closed, W3C dates)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from crm.api.open311 import parse
from crm.api.open311.refusals import Refusal
from crm.open311.model import RequestStatus
from kernel.calendar import SEOUL

FORM = "application/x-www-form-urlencoded"


def test_form_body_with_repeated_attributes() -> None:
    raw = urlencode(
        [
            ("api_key", "k"),
            ("service_code", "ROAD-DAMAGE"),
            ("description", "포트홀 신고"),
            ("lat", "37.5"),
            ("long", "127.0"),
            ("attribute[damage_type]", "pothole"),
            ("attribute[kinds]", "a"),
            ("attribute[kinds]", "b"),
            ("unknown", "x"),
        ]
    ).encode()
    body = parse.read_body(raw, FORM + "; charset=UTF-8")
    assert body.get("api_key") == "k"
    sub = parse.submission(body, None)
    assert sub.service_code == "ROAD-DAMAGE" and sub.description == "포트홀 신고"
    assert (sub.location.lat, sub.location.long, sub.location.address_string) == (37.5, 127.0, None)
    assert sub.attributes == {"damage_type": ("pothole",), "kinds": ("a", "b")}


def test_json_body() -> None:
    raw = (
        '{"service_code": "NOISE", "description": "소음", "lat": 37.5, "long": 127, "address_string": "서울",'
        ' "attribute": {"when": "2026-03-10T10:00:00+09:00", "kinds": ["a", "b"]}, "app_request_id": "r1"}'
    )
    sub = parse.submission(parse.read_body(raw.encode(), "application/json"), None)
    assert sub.location.lat == 37.5 and sub.location.long == 127.0 and sub.location.address_string == "서울"
    assert sub.attributes == {"when": ("2026-03-10T10:00:00+09:00",), "kinds": ("a", "b")}
    assert sub.app_request_id == "r1"
    assert parse.submission(parse.read_body(raw.encode(), "application/json"), "hdr").app_request_id == "hdr"


@pytest.mark.parametrize(
    ("raw", "media"),
    [
        (b"description=%ff%fe", FORM),  # percent-escaped bytes that are not UTF-8
        (b"description=\xed\xa0\x80", FORM),  # a surrogate, raw
        ('{"description": "가"}'.encode("euc-kr"), "application/json"),
        (b"description=x", FORM + "; charset=euc-kr"),
        (b"[1, 2]", "application/json"),
        (b"{", "application/json"),
        (b'{"description": 3}', "application/json"),
        (b'{"lat": true}', "application/json"),
        (b'{"lat": "37.5"}', "application/json"),
        (b'{"attribute": {"a": 3}}', "application/json"),
        (b'{"attribute": []}', "application/json"),
        (b'{"description": "a\\u0000b"}', "application/json"),  # escapes spell what raw UTF-8 cannot
        (b'{"description": "\\ud800"}', "application/json"),
        (b'{"attribute": {"a": ["\\udfff"]}}', "application/json"),
        (b"x", "text/plain"),
        (b"service_code=a&service_code=b", FORM),
    ],
)
def test_bad_bodies_are_400(raw: bytes, media: str) -> None:
    with pytest.raises(Refusal) as refusal:
        parse.read_body(raw, media)
    assert refusal.value.status == 400


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1e999", "37.5e0", " 37.5", "+37"])
def test_bad_numbers_are_400(text: str) -> None:
    with pytest.raises(Refusal) as refusal:
        parse.submission(parse.read_body(f"lat={text}".encode(), FORM), None)
    assert refusal.value.status == 400 and "lat" in refusal.value.description


def test_request_query() -> None:
    query = parse.query_of(
        b"/open311/v2/requests.json?service_request_id=1,%202,2&status=open,closed"
        b"&service_code=NOISE&start_date=2026-03-01T00:00:00Z&end_date=2026-03-10"
    )
    found = parse.request_query(query)
    assert found.ids == ("1", "2")
    assert found.statuses == frozenset({RequestStatus.OPEN, RequestStatus.CLOSED})
    assert found.service_codes == ("NOISE",)
    assert found.start == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert found.end == dt.datetime(2026, 3, 10, tzinfo=SEOUL)
    assert parse.request_query({}).ids == ()


@pytest.mark.parametrize(
    "uri",
    [
        b"/r?status=pending",
        b"/r?start_date=yesterday",
        b"/r?start_date=2026-03-10T10",
        b"/r?service_code=a,,b",
        b"/r?end_date=2026-13-01",
        b"/r?start_date=2026-03-01T25:00:00Z",
        b"/r?status=open&status=closed",
        b"/r?service_code=%ff",
        b"/r?service_request_id=" + b",".join(str(i).encode() for i in range(101)),
    ],
)
def test_bad_filters_are_400(uri: bytes) -> None:
    with pytest.raises(Refusal) as refusal:
        parse.request_query(parse.query_of(uri))
    assert refusal.value.status == 400
