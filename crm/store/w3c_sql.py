"""``seoul_w3c(column)``: a stored UTC moment as the W3C date-time text Open311 answers with, made by the database.

``2026-03-10T10:00:00+09:00``: Seoul's wall clock to the second, its offset written out. Formatting 3,000
moments of a 1,000-request page in Python (parse, shift, ``isoformat``) was a third of that read's time; the
database's own date functions do it while the rows are read. Seoul has kept +09:00 without daylight saving
since 1988, so the offset is added, not looked up (Open311 requests are all later); the text agrees with
``crm.api.open311.formats.w3c`` for every moment since then, which a test checks on both backends.

SQLite stores these columns as naive UTC text (``crm.store.tables.UTCDateTime``); PostgreSQL as
``timestamptz``. Other dialects are refused when the statement is compiled.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class seoul_w3c(FunctionElement[str]):  # a SQL function, named like one
    """The W3C text of a UTC moment column or expression in Seoul time; NULL stays NULL."""

    type = String()
    inherit_cache = True
    name = "seoul_w3c"

    def __init__(self, moment: ColumnElement[Any]) -> None:
        super().__init__(moment)


@compiles(seoul_w3c)
def _unsupported(element: seoul_w3c, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"seoul_w3c: no rendering for the {compiler.dialect.name} dialect (SQLite, PostgreSQL)")


@compiles(seoul_w3c, "sqlite")
def _sqlite(element: seoul_w3c, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    # To the second before shifting: SQLite's date functions round to the millisecond (…59.9996 would
    # become the next second, even the next year), where Python and PostgreSQL truncate.
    return f"strftime('%Y-%m-%dT%H:%M:%S+09:00', substr({moment}, 1, 19), '+9 hours')"


@compiles(seoul_w3c, "postgresql")
def _postgresql(element: seoul_w3c, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"""to_char(({moment}) AT TIME ZONE 'UTC' + interval '9 hours', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"')"""
