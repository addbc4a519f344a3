"""GeoReport v2 documents: the spec's element names in XML, the same fields in JSON, W3C dates in Seoul time,
and the public view that shows no more than id, service, status and dates."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from crm.api.open311 import formats
from crm.open311.model import RequestStatus, RequestView, SubmitResult, TokenState
from kernel.calendar import SEOUL

AT = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Attr:
    code: str
    datatype: str
    required: bool
    order: int
    description: str
    variable: bool = True
    datatype_description: str | None = None
    values: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Svc:
    code: str = "ROAD-DAMAGE"
    name: str = "도로·보도 파손"
    description: str = "도로나 보도가 파손되었습니다."
    group: str = "도로·교통"
    keywords: tuple[str, ...] = ("도로", "포트홀")
    attributes: tuple[Attr, ...] = field(default_factory=tuple)


DAMAGE = Attr(
    "damage_type",
    "singlevaluelist",
    True,
    1,
    "파손 유형",
    values=({"key": "pothole", "name": "포트홀"}, {"key": "crack", "name": "균열"}),
)


def view(public_only: bool = False) -> RequestView:
    return RequestView(
        service_request_id="17",
        status=RequestStatus.OPEN,
        status_notes=None,
        service_name="도로·보도 파손",
        service_code="ROAD-DAMAGE",
        description="포트홀이 있습니다",
        agency_responsible="서울특별시 120다산콜센터",
        service_notice=None,
        requested_datetime="2026-03-10T10:00:00+09:00",  # the store's W3C texts (crm.store.w3c_sql)
        updated_datetime="2026-03-10T12:00:00+09:00",
        expected_datetime=None,
        address="서울특별시 중구 세종대로 110",
        address_id=None,
        zipcode=None,
        lat=37.5665,
        long=126.978,
        media_url=None,
        public_only=public_only,
    )


def xml(data: bytes) -> ET.Element:
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(data)


def test_w3c_dates_are_seoul_time_with_offset() -> None:
    assert formats.w3c(AT) == "2026-03-10T10:00:00+09:00"
    assert formats.w3c(dt.datetime(2026, 3, 10, 1, 0)) == "2026-03-10T10:00:00+09:00"  # naive: UTC
    assert formats.w3c(None) is None


@given(st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2200, 1, 1),
                    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))])))  # fmt: skip
def test_w3c_adds_the_fixed_offset_exactly_as_the_seoul_zone_would(moment: dt.datetime) -> None:
    assert formats.w3c(moment) == moment.astimezone(SEOUL).isoformat(timespec="seconds")
    assert formats.w3c(dt.datetime(1987, 7, 1, tzinfo=dt.UTC)) == "1987-07-01T10:00:00+10:00"  # summer time then
    assert formats.w3c(dt.datetime(2026, 3, 10, 10, tzinfo=SEOUL)) == "2026-03-10T10:00:00+09:00"


def test_services_in_json_and_xml() -> None:
    doc = formats.services_doc([Svc(attributes=(DAMAGE,)), Svc(code="NOISE", keywords=())])
    as_json = json.loads(formats.render("services", doc, "json"))
    assert as_json[0] == {
        "service_code": "ROAD-DAMAGE",
        "service_name": "도로·보도 파손",
        "description": "도로나 보도가 파손되었습니다.",
        "metadata": True,
        "type": "realtime",
        "keywords": "도로, 포트홀",
        "group": "도로·교통",
    }
    assert as_json[1]["metadata"] is False
    root = xml(formats.render("services", doc, "xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["ROAD-DAMAGE", "NOISE"]
    assert [c.tag for c in services[0]] == list(as_json[0])
    assert services[0].findtext("metadata") == "true"
    assert services[0].findtext("service_name") == "도로·보도 파손"


def test_service_definition_in_xml() -> None:
    later = Attr("note", "text", False, 2, "비고", variable=True)
    doc = formats.definition_doc(Svc(attributes=(later, DAMAGE)))
    root = xml(formats.render("service_definition", doc, "xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "ROAD-DAMAGE"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["damage_type", "note"]  # in their order
    first = attributes[0]
    assert [c.tag for c in first] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert (first.findtext("required"), first.findtext("order"), first.findtext("datatype")) == (
        "true",
        "1",
        "singlevaluelist",
    )
    assert [(v.findtext("key"), v.findtext("name")) for v in first.findall("values/value")] == [
        ("pothole", "포트홀"),
        ("crack", "균열"),
    ]
    as_json = json.loads(formats.render("service_definition", doc, "json"))
    assert as_json["attributes"][0]["values"][0] == {"key": "pothole", "name": "포트홀"}
    assert as_json["attributes"][1]["values"] == []


def test_requests_full_and_public() -> None:
    full = formats.requests_doc([view()])[0]
    assert list(full) == list(formats.REQUEST_FIELDS)
    assert full["requested_datetime"] == "2026-03-10T10:00:00+09:00"
    assert full["status"] == "open"
    public = formats.requests_doc([view(public_only=True)])[0]
    assert set(public) == {
        "service_request_id",
        "service_code",
        "status",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    }
    root = xml(formats.render("service_requests", [full], "xml"))
    request = root.find("request")
    assert request is not None
    assert request.findtext("lat") == "37.5665"
    assert request.find("expected_datetime") is not None and request.findtext("expected_datetime") in ("", None)
    assert request.findtext("updated_datetime") == "2026-03-10T12:00:00+09:00"


def test_post_results_tokens_and_errors() -> None:
    accepted = SubmitResult("17", None, "접수되었습니다.", None)
    held = SubmitResult(None, "tok-1", "검토 후 접수됩니다.", "acct")
    assert formats.submit_doc(accepted) == [
        {"service_request_id": "17", "service_notice": "접수되었습니다.", "account_id": None}
    ]
    assert formats.submit_doc(held) == [
        {"token": "tok-1", "service_notice": "검토 후 접수됩니다.", "account_id": "acct"}
    ]
    root = xml(formats.render("service_requests", formats.token_doc(TokenState("tok-1", None)), "xml"))
    assert [c.tag for c in root.find("request") or []] == ["service_request_id", "token"]
    errors = formats.errors_doc(403, "API 키가 올바르지 않습니다.")
    assert json.loads(formats.render("errors", errors, "json")) == [
        {"code": 403, "description": "API 키가 올바르지 않습니다."}
    ]
    root = xml(formats.render("errors", errors, "xml"))
    assert (root.tag, root.findtext("error/code"), root.findtext("error/description")) == (
        "errors",
        "403",
        "API 키가 올바르지 않습니다.",
    )


def test_discovery() -> None:
    doc = formats.discovery_doc("http://h/open311/v2/", AT, "110", "키 신청")
    root = xml(formats.render("discovery", doc, "xml"))
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert json.loads(formats.render("discovery", doc, "json"))["endpoints"][0]["url"] == "http://h/open311/v2/"


def test_xml_is_well_formed_whatever_the_text_holds() -> None:
    nasty: Any = view()._replace(description="<b>&\"'</b>\x01\x0b끝", address="]]>")
    data = formats.render("service_requests", formats.requests_doc([nasty]), "xml")
    request = xml(data).find("request")
    assert request is not None
    assert request.findtext("description") == "<b>&\"'</b>끝"
    assert request.findtext("address") == "]]>"


def test_json_is_the_json_modules_text_and_survives_a_lone_surrogate() -> None:
    doc = formats.requests_doc([view()._replace(description='따옴표 " 역슬래시 \\ 제어 \x01 탭\t', lat=37.5665)])
    data = formats.render("service_requests", doc, "json")
    assert data == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # Parsing refuses lone surrogates (parse._escaped_text); should one reach a document all the same, the
    # answer is still UTF-8 JSON, the character written as its escape, not a 500.
    odd = formats.render("errors", formats.errors_doc(400, "\ud800 앞"), "json")
    assert b'"\\ud800 \xec\x95\x9e"' in odd and json.loads(odd.decode("utf-8")) == formats.errors_doc(400, "\ud800 앞")
