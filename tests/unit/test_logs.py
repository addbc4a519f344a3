"""JSON-lines logging: context fields from contextvars or ``extra``, and personal data masked everywhere."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from sori.logs import JsonFormatter, call_id_var, case_number_var, scrub

RRN = "900101-1234567"
PHONE = "010-1234-5678"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing JSON lines to memory, cut off from the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("sori.tests.unit.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers.clear()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    return logging.getLogger("sori.test").makeRecord(
        "sori.test", logging.INFO, __file__, 1, msg, args, None, extra=extra or None
    )


def test_every_line_is_json_with_the_basic_fields(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.warning("상담 시작")
    (entry,) = lines(stream)
    assert entry["msg"] == "상담 시작"
    assert entry["level"] == "warning"
    assert entry["logger"] == "sori.tests.unit.logs"
    stamp = dt.datetime.fromisoformat(entry["ts"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=1)
    assert "case_number" not in entry and "sip_call_id" not in entry
    assert "상담 시작" in stream.getvalue()  # Korean is written as is, not \\u-escaped


def test_context_fields_come_from_contextvars(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    case_token = case_number_var.set("2025-ACRC110-17")
    call_token = call_id_var.set("a84b4c76e66710@pc33.example.kr")
    try:
        logger.info("wrap-up saved")
    finally:
        case_number_var.reset(case_token)
        call_id_var.reset(call_token)
    logger.info("after the call")
    inside, after = lines(stream)
    assert inside["case_number"] == "2025-ACRC110-17"
    assert inside["sip_call_id"] == "a84b4c76e66710@pc33.example.kr"
    assert "case_number" not in after and "sip_call_id" not in after


def test_context_fields_from_extra_win_over_contextvars(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    token = case_number_var.set("2025-ACRC110-1")
    try:
        logger.info("moved", extra={"case_number": "2025-NTS126-9", "sip_call_id": "xyz@sori"})
    finally:
        case_number_var.reset(token)
    (entry,) = lines(stream)
    assert entry["case_number"] == "2025-NTS126-9"
    assert entry["sip_call_id"] == "xyz@sori"


def test_resident_and_phone_numbers_in_the_message_are_masked(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info(f"citizen {RRN} called from {PHONE}")
    logger.info("citizen %s called from %s", RRN, PHONE)  # through %-args as well
    for entry in lines(stream):
        assert entry["msg"] == "citizen 900101-1****** called from 010-****-5678"
    assert "1234567" not in stream.getvalue()
    assert "1234-5678" not in stream.getvalue()


def test_extra_fields_are_kept_and_string_values_masked(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info(
        "lookup", extra={"caller": PHONE, "note": f"주민번호 {RRN}", "attempts": 3, "ok": True, "_private": "hidden"}
    )
    (entry,) = lines(stream)
    assert entry["caller"] == "010-****-5678"
    assert entry["note"] == "주민번호 900101-1******"
    assert entry["attempts"] == 3 and entry["ok"] is True
    assert "_private" not in entry
    assert RRN not in stream.getvalue() and PHONE not in stream.getvalue()


def test_exception_text_is_masked(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    try:
        raise ValueError(f"no citizen with {RRN} / {PHONE}")
    except ValueError:
        logger.exception("lookup failed for %s", PHONE)
    (entry,) = lines(stream)
    assert entry["level"] == "error"
    assert entry["msg"] == "lookup failed for 010-****-5678"
    assert entry["exc"].startswith("Traceback")
    assert "ValueError: no citizen with 900101-1****** / 010-****-5678" in entry["exc"]
    assert RRN not in stream.getvalue() and PHONE not in stream.getvalue()


def test_other_phone_forms_are_masked_too() -> None:
    formatter = JsonFormatter()
    for written in ("01012345678", "+82 10 1234 5678", "(02) 123-4567", "0082-10-1234-5678", "0505-123-4567"):
        entry = json.loads(formatter.format(record("caller %s", written)))
        assert written not in entry["msg"]
        assert entry["msg"].startswith("caller ")


def test_format_does_not_change_the_record() -> None:
    made = record("from %s", PHONE, caller=PHONE)
    JsonFormatter().format(made)
    assert made.getMessage() == f"from {PHONE}"
    assert vars(made)["caller"] == PHONE  # other handlers (if any) see the record as it was logged


def test_non_string_extras_are_serialised() -> None:
    entry = json.loads(JsonFormatter().format(record("x", when=dt.date(2025, 6, 10), ids=[1, 2])))
    assert entry["when"] == "2025-06-10"
    assert entry["ids"] == [1, 2]


def test_scrub() -> None:
    assert scrub(f"{RRN} {PHONE}") == "900101-1****** 010-****-5678"
    assert scrub("nothing personal") == "nothing personal"


def test_nested_extra_values_are_masked(capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    logger.info("lookup", extra={"citizen": {"phones": [PHONE], "rrn": RRN}, "tags": (PHONE,)})
    raw = stream.getvalue()
    assert PHONE not in raw and "1234567" not in raw
    (line,) = lines(stream)
    assert line["citizen"] == {"phones": ["010-****-5678"], "rrn": "900101-1******"}
