"""The parameter and body schemas the OpenAPI document states are the ones the server holds requests to.

Where the document shows a written form and a domain rule is the real check (Korean phone numbers,
주민등록번호, case numbers), every string the form allows must pass the domain rule: otherwise a client that
follows the document would be refused. Property tests draw those strings from the patterns themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.api import schemas
from crm.api.fields import CASE_NUMBER_PATTERN, PATH_PARAMS, PHONE_PATTERN, RESIDENT_NUMBER_PATTERN
from crm.cases.model import parse_case_number
from crm.citizens.phone import normalize_phone
from crm.citizens.rrn import protect_resident_number
from kernel.errors import ValidationFailed
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.params import ID_MAX, check_value

KEY = b"0123456789abcdef0123456789abcdef"
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _python(pattern: str) -> str:
    return pattern[:-1] + r"\Z"  # ECMA '$' is the end of the text; Python's also matches before a final newline


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_python(PHONE_PATTERN)))
def test_every_phone_the_document_shows_is_taken(phone: str) -> None:
    assert normalize_phone(phone).digits == phone.replace("-", "")


def test_every_mobile_prefix_the_document_shows_is_taken() -> None:
    """All of them, not a sample: libphonenumber knows unassigned blocks (010-597x … 010-599x)."""
    pattern = re.compile(_python(PHONE_PATTERN))
    shown = [f"010-{prefix}-0000" for prefix in range(10000) if pattern.match(f"010-{prefix}-0000")]
    assert len(shown) == 7970
    for phone in shown:
        normalize_phone(phone)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_python(RESIDENT_NUMBER_PATTERN)))
def test_every_resident_number_the_document_shows_is_taken(number: str) -> None:
    assert protect_resident_number(number, KEY).masked.startswith(number[:6])


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_python(CASE_NUMBER_PATTERN)))
def test_every_case_number_the_document_shows_parses(number: str) -> None:
    year, center, sequence = parse_case_number(number)
    assert 1 <= sequence <= ID_MAX and number == f"{year:04d}-{center}-{sequence}"


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 200}, "0"),
        ({"type": "integer", "minimum": 1, "maximum": 200}, "201"),
        ({"type": "integer", "minimum": 1, "maximum": 200}, "²"),  # str.isdigit() says yes, int() says no
        ({"type": "integer", "minimum": 1, "maximum": 200}, "1.5"),
        ({"type": "integer", "minimum": 1, "maximum": 200}, ""),
        ({"type": "string", "enum": ["true", "false"]}, "yes"),
        ({"type": "string", "maxLength": 3}, "four"),
        ({"type": "string", "pattern": CASE_NUMBER_PATTERN}, "2026-ACRC110-1\n"),
        ({"type": "string", "pattern": CASE_NUMBER_PATTERN}, "2026-ACRC110-1234567890123456789"),
    ],
)
def test_values_outside_their_schema_are_refused(schema: dict[str, Any], text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_value("p", schema, text)
    assert refused.value.details["parameter"] == "p"


def test_values_inside_their_schema_pass() -> None:
    check_value("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "200")
    check_value("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "7.0")  # JSON Schema: an integer
    check_value("number", {"type": "string", "pattern": CASE_NUMBER_PATTERN}, "2026-ACRC110-17")
    check_value("active", {"type": "string", "enum": ["true", "false"]}, "false")


def test_a_handler_never_sees_a_parameter_its_schema_refuses() -> None:
    router, seen = Router(PATH_PARAMS), []  # the case store's: {citizen_id} is an id

    def handler(req: ApiRequest[Any], uow: Any) -> Reply:
        seen.append(req.query)
        return Reply(200, None)

    router.route("GET", "/things/{citizen_id}", summary="", tag="t", query=(QueryParam.integer("limit", "", 1, 10),))(
        handler
    )
    route = router.routes[0]

    def call(params: dict[str, str], query: dict[str, list[str]]) -> None:
        req: ApiRequest[Any] = ApiRequest("GET", "/", route.template, params, query, None, {}, None, "", NOW)
        route.handler(req, None)

    call({"citizen_id": "7"}, {"limit": ["10"]})
    for params, query in [
        ({"citizen_id": "0"}, {}),
        ({"citizen_id": "7"}, {"limit": ["11"]}),
        ({"citizen_id": "7"}, {"limit": ["1", "2"]}),
    ]:
        with pytest.raises(ValidationFailed):
            call(params, query)
    assert seen == [{"limit": ["10"]}]


def test_integers_in_bodies_are_json_schema_integers() -> None:
    """JSON Schema counts 3.0 as an integer; strings and booleans are not, nor is 3.5."""
    assert schemas.AssignCitizenIn.model_validate_json('{"citizen_id": 3.0}', strict=True).citizen_id == 3
    for body in ('{"citizen_id": "3"}', '{"citizen_id": true}', '{"citizen_id": 3.5}', '{"citizen_id": 0}'):
        with pytest.raises(ValueError):
            schemas.AssignCitizenIn.model_validate_json(body, strict=True)


def test_a_birth_year_comes_from_one_source() -> None:
    """With a 주민등록번호 the birth year is derived from it: the document's anyOf, held by the model."""
    assert schemas.CitizenIn.model_validate_json('{"birth_year": 1990}', strict=True).birth_year == 1990
    assert schemas.CitizenIn.model_validate_json('{"resident_number": "900101-1234567"}', strict=True)
    with pytest.raises(ValueError):
        schemas.CitizenIn.model_validate_json('{"resident_number": "900101-1234567", "birth_year": 1990}', strict=True)


def test_no_text_holds_nul() -> None:
    with pytest.raises(ValueError):
        schemas.CitizenIn.model_validate_json('{"phones": ["010\\u0000"]}', strict=True)
    with pytest.raises(ValidationFailed):
        check_value("center", {"type": "string"}, "ACRC\x00")


def test_no_pydantic_keyword_leaks_into_the_document() -> None:
    """A constraint pydantic cannot place shows up as 'ge'/'le', which JSON Schema ignores: the server would
    then refuse what the document allows."""
    models = [m for m in vars(schemas).values() if isinstance(m, type) and issubclass(m, schemas.In)]
    assert len(models) > 15
    text = json.dumps([m.model_json_schema() for m in models])
    assert '"ge"' not in text and '"le"' not in text
