"""Reading Open311 requests: the query string, a POST body (form-encoded as the spec says, or a flat JSON
object) and the W3C dates and comma-delimited lists of GET requests.

UTF-8 only: a body or query that is not valid UTF-8 is refused (400), never guessed. Fields the spec does not
name are ignored (clients of other GeoReport servers send extras); a field given twice is refused. The
domain (``crm.open311``) validates what the fields mean; this module only reads their written form.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from crm.api.open311.refusals import Refusal
from crm.open311.model import Location, RequestQuery, RequestStatus, Submission
from crm.open311.validation import w3c_moment

ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\]$")
# The written forms taken (and stated in the OpenAPI document): a decimal coordinate (W3C dates: w3c_moment).
DECIMAL = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,15})?")
TEXT_FIELDS = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "app_request_id",
)
NUMBER_FIELDS = ("lat", "long")
MAX_LIST_ITEMS = 100
LIST_MAX = 2000  # characters of a comma-delimited query parameter


class Body:
    """A POST body's fields: text fields by name, numbers as written, attributes as code → values."""

    def __init__(
        self,
        fields: Mapping[str, str],
        attributes: Mapping[str, tuple[str, ...]],
        numbers: Mapping[str, float] | None = None,
    ) -> None:
        self.fields = dict(fields)
        self.attributes = dict(attributes)
        self.numbers = dict(numbers or {})  # a JSON body's numbers, as numbers

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value is not None and value != "" else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8(raw: bytes, what: str) -> str:
    try:
        return _nul_free(raw.decode("utf-8"), what)
    except UnicodeDecodeError:
        raise Refusal(400, f"{what}이(가) UTF-8이 아닙니다.") from None


def _nul_free(text: str, what: str) -> str:
    """No text the store keeps may hold U+0000 (PostgreSQL cannot): refused before anything reads it."""
    if "\x00" in text:
        raise Refusal(400, f"{what}에 U+0000 문자를 쓸 수 없습니다.")
    return text


def pairs(text: str, what: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` as (name, value) pairs, percent escapes read as UTF-8 (anything else: 400)."""
    try:
        found = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, f"{what}이(가) UTF-8이 아닙니다.") from None
    for name, value in found:
        _nul_free(name + value, what)
    return found


def query_of(uri: bytes) -> dict[str, list[str]]:
    """The query string of a request URI, each name with its values in order."""
    _, _, raw = uri.partition(b"?")
    found: dict[str, list[str]] = {}
    for name, value in pairs(utf8(raw, "요청 주소"), "요청 주소"):
        found.setdefault(name, []).append(value)
    return found


def one(query: Mapping[str, list[str]], name: str, max_length: int | None = None) -> str | None:
    """A query parameter given at most once (empty counts as absent), of at most ``max_length`` characters."""
    values = query.get(name) or []
    if len(values) > 1:
        raise Refusal(400, f"{name}을(를) 한 번만 보내 주십시오.")
    if max_length is not None and values and len(values[0]) > max_length:
        raise Refusal(400, f"{name}은(는) {max_length}자 이하여야 합니다.")
    return values[0] if values and values[0] != "" else None


def read_body(raw: bytes, content_type: str | None) -> Body:
    """A POST body, form-encoded (the spec) or JSON (a flat object; ``attribute`` an object of code → text
    or list of texts). Anything else is 400."""
    media = (content_type or "application/x-www-form-urlencoded").split(";")[0].strip().lower()
    charset = re.search(r"charset=\"?([\w-]+)", content_type or "", re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise Refusal(400, "본문은 UTF-8로만 보내 주십시오.")
    text = utf8(raw, "요청 본문")
    if media == "application/json":
        return _json_body(text)
    if media in ("application/x-www-form-urlencoded", ""):
        return _form_body(text)
    raise Refusal(400, "본문은 application/x-www-form-urlencoded 또는 application/json이어야 합니다.")


def _form_body(text: str) -> Body:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in pairs(text, "요청 본문"):
        code = ATTRIBUTE.match(name)
        if code is not None:
            values = attributes.setdefault(code.group(1), [])
            if len(values) >= MAX_LIST_ITEMS:
                raise Refusal(400, f"attribute[{code.group(1)}] 값이 너무 많습니다.")
            values.append(value)
        elif name in TEXT_FIELDS or name in NUMBER_FIELDS:
            if name in fields:
                raise Refusal(400, f"{name}을(를) 한 번만 보내 주십시오.")
            fields[name] = value
    return Body(fields, {k: tuple(v) for k, v in attributes.items()})


def _json_body(text: str) -> Body:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Refusal(400, "본문이 올바른 JSON이 아닙니다.") from None
    if not isinstance(data, dict):
        raise Refusal(400, "본문은 JSON 객체여야 합니다.")
    fields: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Refusal(400, f"{name}은(는) 문자열이어야 합니다.")
        fields[name] = _escaped_text(value, name)
    numbers: dict[str, float] = {}
    for name in NUMBER_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise Refusal(400, f"{name}은(는) 숫자여야 합니다.")
        numbers[name] = float(value)
    attributes: dict[str, tuple[str, ...]] = {}
    given = data.get("attribute")
    if given is not None:
        if not isinstance(given, dict):
            raise Refusal(400, "attribute는 코드별 값의 객체여야 합니다.")
        for code, value in given.items():
            values = value if isinstance(value, list) else [value]
            if len(values) > MAX_LIST_ITEMS or not all(isinstance(v, str) for v in values):
                raise Refusal(400, f"attribute[{code}]의 값은 문자열(또는 문자열 목록)이어야 합니다.")
            attributes[_escaped_text(code, "attribute")] = tuple(_escaped_text(v, f"attribute[{code}]") for v in values)
    return Body(fields, attributes, numbers)


def _escaped_text(value: str, name: str) -> str:
    """A JSON string's ``\\u`` escapes can spell what raw UTF-8 cannot: U+0000 and lone surrogates (neither
    storable nor writable as UTF-8). Both are refused as a form body's are."""
    _nul_free(value, name)
    if _SURROGATE.search(value):
        raise Refusal(400, f"{name}에 짝이 없는 서로게이트(\\ud800-\\udfff)를 쓸 수 없습니다.")
    return value


def number(body: Body, name: str) -> float | None:
    if name in body.numbers:
        return body.numbers[name]
    text = body.get(name)
    if text is None:
        return None
    if not DECIMAL.fullmatch(text):
        raise Refusal(400, f"{name}은(는) 십진수(예: 37.5665)여야 합니다.")
    return float(text)


def submission(body: Body, idempotency_key: str | None) -> Submission:
    """The domain's ``Submission`` from a POST body (the Idempotency-Key header wins over app_request_id)."""
    return Submission(
        service_code=body.get("service_code") or "",
        description=body.get("description") or "",
        location=Location(
            lat=number(body, "lat"),
            long=number(body, "long"),
            address_string=body.get("address_string"),
            address_id=body.get("address_id"),
        ),
        jurisdiction_id=body.get("jurisdiction_id"),
        email=body.get("email"),
        phone=body.get("phone"),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        device_id=body.get("device_id"),
        account_id=body.get("account_id"),
        media_url=body.get("media_url"),
        attributes=body.attributes,
        app_request_id=idempotency_key or body.get("app_request_id"),
    )


# -- GET requests -------------------------------------------------------------------------------------------
def w3c_datetime(text: str, name: str) -> dt.datetime:
    """A W3C date or date-time (``2026-03-10``, ``2026-03-10T10:00:00+09:00``, ``…Z``); without an offset it
    is Seoul time."""
    moment = w3c_moment(text)
    if moment is None:
        raise Refusal(400, f"{name}은(는) W3C 날짜 형식(예: 2026-03-10T09:00:00+09:00)이어야 합니다.")
    return moment


def comma_list(text: str | None, name: str, limit: int = MAX_LIST_ITEMS) -> tuple[str, ...]:
    """``a,b, c`` as its items (repeats once); an empty item (``a,,b``) is 400."""
    if text is None:
        return ()
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise Refusal(400, f"{name}은(는) 쉼표로 구분한 값이어야 합니다.")
    items = tuple(dict.fromkeys(parts))
    if len(items) > limit:
        raise Refusal(400, f"{name}은(는) {limit}개까지 보낼 수 있습니다.")
    return items


def request_query(query: Mapping[str, list[str]], limit: int = 1000) -> RequestQuery:
    """GET requests' filters: ids, service codes, statuses (open|closed), start/end dates, jurisdiction."""
    statuses: set[RequestStatus] = set()
    for text in comma_list(one(query, "status"), "status"):
        try:
            statuses.add(RequestStatus(text))
        except ValueError:
            raise Refusal(400, "status는 open 또는 closed여야 합니다.") from None
    start, end = one(query, "start_date"), one(query, "end_date")
    return RequestQuery(
        ids=comma_list(one(query, "service_request_id", LIST_MAX), "service_request_id"),
        service_codes=comma_list(one(query, "service_code", LIST_MAX), "service_code"),
        statuses=frozenset(statuses),
        start=w3c_datetime(start, "start_date") if start else None,
        end=w3c_datetime(end, "end_date") if end else None,
        jurisdiction_id=one(query, "jurisdiction_id"),
        limit=limit,
    )
