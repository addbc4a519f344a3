"""An Open311 GeoReport v2 client written from the specification, against the real service tree of ``sori up``
over HTTP: every operation in JSON and XML, every error the spec names (in its ``[{code, description}]``
shape, the HTTP status in ``code``), idempotent POSTs, and what each caller may read (an app only its own
requests; no key only the public fields; never a submitter's name, e-mail or phone)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from sori.wiring import System
from tests.conftest import PASSWORD, build_test_world
from tests.support.api import ApiClient, RunningApi
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration

ROOT = "/open311/v2"
# generous limits (the rate-limit test has its own); no classifier pass by itself (the test runs one)
GENEROUS = {
    "rate_per_minute_key": 100_000,
    "burst_key": 100_000,
    "rate_per_minute_address": 100_000,
    "burst_address": 100_000,
    "classify_interval_s": 3600,
}
SEOUL_ROAD = {
    "service_code": "ROAD-DAMAGE",
    "description": "세종대로 앞 도로에 큰 포트홀이 있습니다.",
    "address_string": "서울특별시 중구 세종대로 110",
    "attribute[damage_type]": "pothole",
    "email": "hong@example.com",
    "phone": "010-5678-1234",
    "first_name": "길동",
    "last_name": "홍",
}
PRIVATE = ("hong@example.com", "010-5678-1234", "길동", "5678")


@pytest.fixture
def system(database_url: str, tmp_path: Path, clock: FakeClock, password_hash: str) -> Iterator[System]:
    built = build_test_world(database_url, tmp_path / "state", clock, password_hash, open311=GENEROUS)
    yield built
    built.engine.dispose()


class Open311:
    """A GeoReport v2 client: ``fmt`` is the suffix; answers are parsed JSON or an XML element."""

    def __init__(self, base: str, api_key: str | None = None) -> None:
        self.base = base + ROOT
        self.api_key = api_key

    def url(self, op: str, fmt: str) -> str:
        return f"{self.base}/{op}.{fmt}"

    def get(self, op: str, fmt: str = "json", keyed: bool = True, **params: Any) -> requests.Response:
        if keyed and self.api_key:
            params["api_key"] = self.api_key
        return requests.get(self.url(op, fmt), params=params, timeout=30)

    def post(self, fields: dict[str, Any], fmt: str = "json", as_json: bool = False, **kw: Any) -> requests.Response:
        body = dict(fields)
        if self.api_key and "api_key" not in body:
            body["api_key"] = self.api_key
        if as_json:  # UTF-8 as is (not \uXXXX escapes): 3 bytes a Korean character
            headers = {"content-type": "application/json", **kw.pop("headers", {})}
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            return requests.post(self.url("requests", fmt), data=data, headers=headers, timeout=30, **kw)
        return requests.post(self.url("requests", fmt), data=body, timeout=30, **kw)


def parsed(reply: requests.Response) -> Any:
    if reply.headers["content-type"].startswith("text/xml"):
        assert reply.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ET.fromstring(reply.content)
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    return reply.json()


def assert_error(reply: requests.Response, status: int, fmt: str = "json") -> str:
    """The spec's error shape with ``status`` as the HTTP status and as ``code``; the description."""
    assert reply.status_code == status, reply.text
    doc = parsed(reply)
    if fmt == "xml":
        assert doc.tag == "errors"
        assert doc.findtext("error/code") == str(status)
        description = doc.findtext("error/description") or ""
    else:
        assert isinstance(doc, list) and len(doc) == 1 and set(doc[0]) == {"code", "description"}
        assert doc[0]["code"] == status
        description = doc[0]["description"]
    assert description and "Traceback" not in reply.text
    return description


def new_key(admin: ApiClient, name: str) -> str:
    reply = admin.post("/api/v1/open311/apps", {"name": name})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["api_key"])


@pytest.fixture
def admin(api: RunningApi) -> ApiClient:
    return api.client().login("root", PASSWORD)


def complaints_filed(system: System) -> int:
    with system.engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM complaints WHERE sinmungo_id LIKE 'open311-%'")).scalar_one()
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_discovery_services_and_definition_in_both_formats(api: RunningApi) -> None:
    client = Open311(api.base)
    discovery = parsed(client.get("discovery"))
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert parsed(client.get("discovery", "xml")).findtext("endpoints/endpoint/type") == "production"

    services = parsed(client.get("services"))
    codes = [s["service_code"] for s in services]
    assert "ROAD-DAMAGE" in codes and "NATIONAL-TAX" in codes
    road = next(s for s in services if s["service_code"] == "ROAD-DAMAGE")
    assert road["metadata"] is True and road["type"] == "realtime" and road["group"]
    as_xml = parsed(client.get("services", "xml"))
    assert [s.findtext("service_code") for s in as_xml.findall("service")] == codes

    seoul = [s["service_code"] for s in parsed(client.get("services", jurisdiction_id="서울특별시"))]
    assert "ROAD-DAMAGE" in seoul and "NATIONAL-TAX" not in seoul
    tax = [s["service_code"] for s in parsed(client.get("services", jurisdiction_id="국세청"))]
    assert tax == ["NATIONAL-TAX"]
    assert_error(client.get("services", jurisdiction_id="아틀란티스"), 404)
    assert_error(client.get("services", "xml", jurisdiction_id="아틀란티스"), 404, "xml")

    definition = parsed(client.get("services/ROAD-DAMAGE"))
    damage = next(a for a in definition["attributes"] if a["code"] == "damage_type")
    assert damage["required"] is True and damage["datatype"] == "singlevaluelist"
    assert {"key": "pothole", "name": "포트홀"} in damage["values"]
    xml_def = parsed(client.get("services/ROAD-DAMAGE", "xml"))
    assert xml_def.tag == "service_definition"
    assert "pothole" in [v.findtext("key") for v in xml_def.findall("attributes/attribute/values/value")]
    assert_error(client.get("services/NO-SUCH"), 404)
    assert_error(client.get("services/NO-SUCH", "xml"), 404, "xml")
    assert_error(client.get("services/NATIONAL-TAX", jurisdiction_id="서울특별시"), 404)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_post_then_read_in_json_and_xml(api: RunningApi, admin: ApiClient) -> None:
    app = Open311(api.base, new_key(admin, "app-a"))
    posted = app.post(SEOUL_ROAD)
    assert posted.status_code == 200, posted.text
    [result] = parsed(posted)
    request_id = result["service_request_id"]
    assert "token" not in result and result["service_notice"] and result["account_id"] is None

    by_xml = app.post(
        {
            **SEOUL_ROAD,
            "description": "XML로 보내는 다른 신고: 가로등이 꺼졌습니다.",
            "service_code": "STREETLIGHT",
            "attribute[damage_type]": "",
        },
        "xml",
    )
    if by_xml.status_code != 200:  # STREETLIGHT may require its own attribute: fill what its definition asks
        definition = parsed(app.get("services/STREETLIGHT"))
        extra = {
            f"attribute[{a['code']}]": (a["values"][0]["key"] if a["values"] else "1")
            for a in definition["attributes"]
            if a["required"]
        }
        by_xml = app.post(
            {
                "service_code": "STREETLIGHT",
                "description": "가로등이 꺼졌습니다.",
                "address_string": "서울특별시 종로구",
                **extra,
            },
            "xml",
        )
    assert by_xml.status_code == 200, by_xml.text
    xml_id = parsed(by_xml).findtext("request/service_request_id")
    assert xml_id and xml_id != request_id

    one = parsed(app.get(f"requests/{request_id}"))
    assert len(one) == 1 and one[0]["service_request_id"] == request_id
    assert one[0]["status"] == "open" and one[0]["service_code"] == "ROAD-DAMAGE"
    assert one[0]["requested_datetime"] == "2026-03-10T10:00:00+09:00"
    assert one[0]["agency_responsible"] and one[0]["address"] == SEOUL_ROAD["address_string"]
    assert one[0]["expected_datetime"]  # the complaint's 처리기한
    one_xml = parsed(app.get(f"requests/{request_id}", "xml"))
    assert one_xml.tag == "service_requests"
    assert one_xml.findtext("request/service_request_id") == request_id

    listed = parsed(app.get("requests"))
    assert {r["service_request_id"] for r in listed} == {request_id, xml_id}
    listed_xml = parsed(app.get("requests", "xml", status="open"))
    assert {r.findtext("service_request_id") for r in listed_xml.findall("request")} == {request_id, xml_id}
    assert parsed(app.get("requests", status="closed")) == []
    assert [r["service_request_id"] for r in parsed(app.get("requests", service_code="ROAD-DAMAGE"))] == [request_id]
    assert [r["service_request_id"] for r in parsed(app.get("requests", service_request_id=request_id))] == [request_id]
    window = parsed(app.get("requests", start_date="2026-03-01T00:00:00+09:00", end_date="2026-03-11T00:00:00+09:00"))
    assert len(window) == 2
    assert parsed(app.get("requests", start_date="2026-01-01T00:00:00Z", end_date="2026-02-01T00:00:00Z")) == []
    reply = app.get("requests")
    assert reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_json_bodies_idempotency_and_held_tokens(api: RunningApi, admin: ApiClient, system: System) -> None:
    app = Open311(api.base, new_key(admin, "app-json"))
    body = {
        "service_code": "ROAD-DAMAGE",
        "description": "JSON 본문으로 보낸 포트홀 신고",
        "lat": 37.5665,
        "long": 126.978,
        "attribute": {"damage_type": "pothole"},
        "app_request_id": "app-json-1",
    }
    first = app.post(body, as_json=True)
    assert first.status_code == 200, first.text
    again = app.post(body, as_json=True)
    assert again.status_code == 200, again.text
    assert parsed(again)[0]["service_request_id"] == parsed(first)[0]["service_request_id"]
    by_header = app.post(
        {**SEOUL_ROAD, "description": "헤더로 멱등 키를 보낸 신고"}, headers={"Idempotency-Key": "k-77"}
    )
    repeat = app.post({**SEOUL_ROAD, "description": "헤더로 멱등 키를 보낸 신고"}, headers={"Idempotency-Key": "k-77"})
    assert parsed(by_header)[0]["service_request_id"] == parsed(repeat)[0]["service_request_id"]
    assert complaints_filed(system) == 2  # one complaint per request, however often it was sent

    links = " ".join(f"https://spam{i}.example.com" for i in range(5))
    held = app.post({**SEOUL_ROAD, "description": f"광고 {links}"})
    assert held.status_code == 200, held.text
    [result] = parsed(held)
    assert "service_request_id" not in result and result["token"]
    token = result["token"]
    state = parsed(app.get(f"tokens/{token}"))
    assert state == [{"service_request_id": None, "token": token}]
    state_xml = parsed(app.get(f"tokens/{token}", "xml"))
    assert state_xml.findtext("request/token") == token
    assert complaints_filed(system) == 2  # held: no complaint yet
    assert_error(app.get("tokens/no-such-token"), 404)
    assert_error(app.get("tokens/no-such-token", "xml"), 404, "xml")

    listed = admin.get("/api/v1/open311/held")
    assert listed.status_code == 200 and [h["token"] for h in listed.json()["held"]] == [token]
    accepted = admin.post(f"/api/v1/open311/held/{token}/accept")
    assert accepted.status_code == 200, accepted.text
    request_id = parsed(app.get(f"tokens/{token}"))[0]["service_request_id"]
    assert request_id and complaints_filed(system) == 3
    assert parsed(app.get(f"requests/{request_id}"))[0]["service_request_id"] == request_id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_error_the_spec_names(api: RunningApi, admin: ApiClient) -> None:
    key = new_key(admin, "app-errors")
    app = Open311(api.base, key)
    anonymous = Open311(api.base)
    for fmt in ("json", "xml"):
        assert "api_key" in assert_error(anonymous.post(SEOUL_ROAD, fmt), 400, fmt)
        assert_error(Open311(api.base, "not-a-key").post(SEOUL_ROAD, fmt), 403, fmt)
        assert_error(Open311(api.base, "not-a-key").get("requests", fmt), 403, fmt)
    # the key is checked before the body: an unknown key with a broken body is 403, not 400
    assert_error(Open311(api.base, "not-a-key").post({"service_code": ""}), 403)
    assert_error(app.post({**SEOUL_ROAD, "jurisdiction_id": "아틀란티스"}), 404)
    assert_error(app.post({**SEOUL_ROAD, "service_code": "NO-SUCH"}), 400)  # the spec: 400 on POST
    assert_error(app.post({**SEOUL_ROAD, "jurisdiction_id": "국세청"}), 400)  # not that jurisdiction's service
    without = {k: v for k, v in SEOUL_ROAD.items() if k != "description"}
    assert "description" in assert_error(app.post(without), 400)
    assert_error(app.post({**SEOUL_ROAD, "description": "   "}), 400)
    nowhere = {k: v for k, v in SEOUL_ROAD.items() if k != "address_string"}
    assert "위치" in assert_error(app.post(nowhere), 400)
    assert_error(app.post({**nowhere, "lat": "51.5", "long": "-0.12"}), 400)  # outside the service area
    assert_error(app.post({**nowhere, "lat": "north"}), 400)
    no_attribute = {k: v for k, v in SEOUL_ROAD.items() if k != "attribute[damage_type]"}
    assert "damage_type" in assert_error(app.post(no_attribute), 400)
    assert_error(app.post({**SEOUL_ROAD, "attribute[damage_type]": "volcano"}), 400)
    assert_error(app.post({**SEOUL_ROAD, "attribute[no_such]": "x"}), 400)
    assert_error(app.post({**SEOUL_ROAD, "email": "not-an-email"}), 400)
    assert_error(app.post({**SEOUL_ROAD, "description": "a" * 4001}), 400)
    as_json = {
        "service_code": "ROAD-DAMAGE",
        "address_string": "서울특별시 중구",
        "attribute": {"damage_type": "pothole"},
    }
    assert_error(app.post({**as_json, "description": "가" * 4001}, as_json=True), 400)  # too long as JSON too
    assert_error(app.post({**as_json, "description": "포트홀", "lat": "37.5", "long": 127.0}, as_json=True), 400)
    bad_utf8 = requests.post(
        app.url("requests", "json") + f"?api_key={key}",
        data=b"description=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert_error(bad_utf8, 400)
    for params in (
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"status": "pending"},
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},  # > 90 days
        {"start_date": "2026-03-05T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
    ):
        assert_error(app.get("requests", **params), 400)
        assert_error(app.get("requests", "xml", **params), 400, "xml")
    assert_error(app.get("requests/999999"), 404)
    assert_error(app.get("requests/not-a-number", "xml"), 404, "xml")
    longest = app.post({**SEOUL_ROAD, "description": "가" * 4000})  # 36 000 bytes form-encoded: under 64 KiB
    assert longest.status_code == 200, longest.text
    too_large = app.post({**SEOUL_ROAD, "description": "가" * 8000})  # 72 000 bytes encoded: over 64 KiB
    assert_error(too_large, 413)
    assert_error(requests.post(app.url("requests", "json") + f"?api_key={key}", data=b"x" * 70_000, timeout=30), 413)
    for method in ("PUT", "DELETE", "PATCH"):
        reply = requests.request(method, app.url("requests", "json"), timeout=30)
        assert_error(reply, 405)
        assert reply.headers["allow"] == "GET, POST"
    reply = requests.post(app.url("services", "xml"), timeout=30)
    assert_error(reply, 405, "xml")
    assert reply.headers["allow"] == "GET"
    for path in ("services.yaml", "services", "requests.html", "nothing.json", "services/a/b.json", "v3.json"):
        assert_error(requests.get(f"{api.base}{ROOT}/{path}", timeout=30), 404)
    assert_error(requests.get(f"{api.base}/open311/v1/services.json", timeout=30), 404)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_revoked_key_is_refused(api: RunningApi, admin: ApiClient) -> None:
    app = Open311(api.base, new_key(admin, "app-revoked"))
    assert app.post(SEOUL_ROAD).status_code == 200
    revoked = admin.session.delete(
        api.base + "/api/v1/open311/apps/app-revoked", headers={"authorization": f"Bearer {admin.token}"}, timeout=30
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(app.post(SEOUL_ROAD), 403)
    assert_error(app.get("requests"), 403)
    apps = admin.get("/api/v1/open311/apps").json()["apps"]
    assert [a["name"] for a in apps] == ["app-revoked"] and "api_key" not in apps[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_what_each_caller_may_read(api: RunningApi, admin: ApiClient) -> None:
    a = Open311(api.base, new_key(admin, "app-a"))
    b = Open311(api.base, new_key(admin, "app-b"))
    anonymous = Open311(api.base)
    a_id = parsed(a.post(SEOUL_ROAD))[0]["service_request_id"]
    b_id = parsed(b.post({**SEOUL_ROAD, "description": "B 앱의 다른 신고입니다."}))[0]["service_request_id"]

    assert_error(b.get(f"requests/{a_id}"), 404)  # another app's request does not exist for B
    assert [r["service_request_id"] for r in parsed(b.get("requests"))] == [b_id]
    assert [r["service_request_id"] for r in parsed(b.get("requests", service_request_id=f"{a_id},{b_id}"))] == [b_id]

    public = parsed(anonymous.get(f"requests/{a_id}"))
    assert set(public[0]) == {
        "service_request_id",
        "service_code",
        "status",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    }
    everyone = parsed(anonymous.get("requests"))
    assert {r["service_request_id"] for r in everyone} == {a_id, b_id}
    assert all("description" not in r and "address" not in r for r in everyone)

    replies = [
        a.get(f"requests/{a_id}"),
        a.get("requests"),
        a.get("requests", "xml"),
        b.get("requests"),
        anonymous.get("requests"),
        anonymous.get("requests", "xml"),
        a.get(f"requests/{a_id}", "xml"),
    ]
    for reply in replies:
        assert reply.status_code == 200
        body = reply.content.decode("utf-8")
        for private in PRIVATE:
            assert private not in body, (reply.url, private)
        for name in ("first_name", "last_name", "email", "phone"):
            assert name not in body
    own = parsed(a.get(f"requests/{a_id}"))[0]
    assert own["description"] and "hong@example.com" not in json.dumps(own, ensure_ascii=False)


@pytest.fixture
def tight_system(database_url: str, tmp_path: Path, clock: FakeClock, password_hash: str) -> Iterator[System]:
    limits = {"rate_per_minute_key": 1, "burst_key": 3, "rate_per_minute_address": 1, "burst_address": 8}
    built = build_test_world(database_url, tmp_path / "tight", clock, password_hash, open311=limits)
    yield built
    built.engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_rate_limits_answer_429_with_retry_after(tight_system: System) -> None:
    running = RunningApi(tight_system)
    try:
        admin = running.client().login("root", PASSWORD)
        app = Open311(running.base, new_key(admin, "app-busy"))
        statuses = [app.get("requests").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200]
        limited = app.get("requests", "xml")
        description = assert_error(limited, 429, "xml")
        assert int(limited.headers["retry-after"]) >= 1 and description
        anonymous = Open311(running.base)  # the address has its own bucket (8): spent by now as well
        replies = [anonymous.get("services") for _ in range(8)]
        last = replies[-1]
        assert_error(last, 429)
        assert int(last.headers["retry-after"]) >= 1
    finally:
        running.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_disabled_open311_is_not_served(database_url: str, tmp_path: Path, clock: FakeClock) -> None:
    built = build_test_world(database_url, tmp_path / "off", clock, open311={"enabled": False})
    running = RunningApi(built)
    try:
        reply = requests.get(f"{running.base}{ROOT}/services.json", timeout=30)
        assert reply.status_code == 404 and reply.json()["error"] == "route-not-found"
    finally:
        running.stop()
        built.engine.dispose()


class FakeSuggester:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def suggest(self, text: str, k: int) -> list[tuple[str, float]]:
        self.texts.append(text)
        return [("교통/건축/국토", 0.9)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_new_requests_get_a_category_off_the_request_path(api: RunningApi, admin: ApiClient, system: System) -> None:
    from sori.open311_wiring import classify_batch

    app = Open311(api.base, new_key(admin, "app-classified"))
    system.suggester = None
    assert classify_batch(system) == 0  # no model: nothing done, nothing marked
    request_id = parsed(app.post(SEOUL_ROAD))[0]["service_request_id"]
    suggester = FakeSuggester()
    system.suggester = suggester
    assert classify_batch(system) == 1
    assert classify_batch(system) == 0  # each request once
    assert suggester.texts and "hong@example.com" not in suggester.texts[0]  # the masked copy
    with system.engine.connect() as conn:
        category = conn.execute(
            text("SELECT category_suggested FROM open311_requests WHERE id = :id"), {"id": int(request_id)}
        ).scalar_one()
    assert category == "교통/건축/국토"


def test_the_admin_routes_are_for_admins_only_and_refuse_without_a_token_before_the_body(
    api: RunningApi, admin: ApiClient
) -> None:
    key = new_key(admin, "app-guarded")
    held = admin.get("/api/v1/open311/held")
    assert held.status_code == 200, held.text
    calls = [("POST", "/api/v1/open311/apps", {"name": "app-by-agent"}), ("GET", "/api/v1/open311/apps", None),
             ("DELETE", "/api/v1/open311/apps/app-guarded", None), ("GET", "/api/v1/open311/held", None),
             ("POST", "/api/v1/open311/held/no-such-token/accept", None),
             ("POST", "/api/v1/open311/held/no-such-token/reject", {"reason": "스팸"})]  # fmt: skip
    for login in ("park", "sup"):  # an agent of 120, a supervisor: neither runs the apps
        client = api.client().login(login, PASSWORD)
        for method, path, body in calls:
            reply = client.session.request(method, api.base + path, json=body, timeout=30,
                                           headers={"authorization": f"Bearer {client.token}"})  # fmt: skip
            assert reply.status_code == 403, (login, method, path, reply.text)
    for method, path, _ in calls:  # no token: 401, whatever the body (the schema is never revealed)
        reply = requests.request(method, api.base + path, data=b"{not json", timeout=30,
                                 headers={"content-type": "application/json"})  # fmt: skip
        assert reply.status_code == 401, (method, path, reply.text)
    still = Open311(api.base, key).post(SEOUL_ROAD)
    assert still.status_code == 200, still.text  # nobody but the admin could revoke it
