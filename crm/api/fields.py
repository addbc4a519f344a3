"""Field types of the case store's request bodies, and the schemas of its path parameters.

Where a domain rule is the real check (주민등록번호, phone numbers) the document shows the written form a
client should send as a pattern the server does not enforce itself: every string that pattern allows passes the
domain rule (tests/unit/test_api_params.py), and the server also takes other written forms. The base models
and integer types are the kernel's (``kernel.http.models``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from kernel.http.params import ID_SCHEMA

__all__ = [
    "CASE_NUMBER_PATTERN",
    "PATH_PARAMS",
    "PHONE_PATTERN",
    "RESIDENT_NUMBER_PATTERN",
    "CaseNumber",
    "Phone",
    "ResidentNumber",
]

# YYYY-CENTER-SEQUENCE (crm.cases.model.CASE_NUMBER), the sequence bounded to 18 digits like every id.
CASE_NUMBER_PATTERN = r"^[0-9]{4}-[A-Z][A-Z0-9]{1,19}-[1-9][0-9]{0,17}$"
# The written forms of a Korean subscriber number the document shows: mobile 010, Seoul 02, the other area
# codes, 070 and 050x; groups separated by '-' or nothing. Every string it matches is a number
# ``normalize_phone`` takes (tests/unit/test_api_params.py), which also takes more (+82 …, spaces, dots).
PHONE_PATTERN = (
    r"^(?:010-?(?:[2-46-9][0-9]{3}|5[0-8][0-9]{2}|59[0-6][0-9])-?[0-9]{4}"  # 010-597x … 010-599x are unassigned
    r"|02-?[2-9][0-9]{2,3}-?[0-9]{4}"
    r"|0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])-?[2-9][0-9]{2,3}-?[0-9]{4}"
    r"|070-?[2-9][0-9]{3}-?[0-9]{4})$"
)

# The schema a path parameter of the API takes from its name, unless its route states one.
PATH_PARAMS: Mapping[str, dict[str, Any]] = {
    "number": {"type": "string", "pattern": CASE_NUMBER_PATTERN, "description": "case number YYYY-CENTER-SEQUENCE"},
    "citizen_id": ID_SCHEMA,
    "interaction_id": ID_SCHEMA,
    "handoff_id": ID_SCHEMA,
    "id": ID_SCHEMA,
}

CaseNumber = Annotated[str, Field(max_length=44, pattern=CASE_NUMBER_PATTERN, description="YYYY-CENTER-SEQUENCE")]
# The written forms the document shows: '주민등록번호' YYMMDD-NNNNNNN with a day every month has, and the
# Korean numbers of PHONE_PATTERN above. The server takes more (any real date, other written forms):
# crm.citizens is the check; each form shown here is one it takes (tests/unit/test_api_params.py).
RESIDENT_NUMBER_PATTERN = r"^[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])-?[1-8][0-9]{6}$"
ResidentNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description="주민등록번호 YYMMDD-NNNNNNN",
        json_schema_extra={"pattern": RESIDENT_NUMBER_PATTERN},
    ),
]
Phone = Annotated[str, Field(max_length=32, json_schema_extra={"pattern": PHONE_PATTERN})]
