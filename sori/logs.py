"""JSON-lines logging with the case number and SIP Call-ID in context, and PII scrubbed from every line.

Whatever a message contains, 주민등록번호 and full phone numbers are masked
before the line is written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Any

from twisted.logger import STDLibLogObserver, globalLogBeginner

from crm.citizens.phone import mask_phones_in_text
from crm.citizens.rrn import mask_resident_numbers_in_text

case_number_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("case_number", default=None)
call_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("sip_call_id", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    return mask_phones_in_text(mask_resident_numbers_in_text(text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        case_number = getattr(record, "case_number", None) or case_number_var.get()
        call_id = getattr(record, "sip_call_id", None) or call_id_var.get()
        if case_number:
            entry["case_number"] = case_number
        if call_id:
            entry["sip_call_id"] = call_id
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry and not key.startswith("_") and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        # Scrub the serialised line, so nested extras (dicts, lists, objects) are masked too.
        return scrub(json.dumps(entry, ensure_ascii=False, default=str))


def configure_logging(level: str = "INFO", file: Path | None = None) -> None:
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Twisted's own log events go through the standard library too.
    globalLogBeginner.beginLoggingTo([STDLibLogObserver(name="twisted")], redirectStandardIO=False)  # type: ignore[list-item]
