"""The masker ``sori up`` wires into the 신문고 inbox (analytics' PII masker, then the inbox's own 주민등록번호
rule): the masked copy analytics and other centers read never holds a 주민등록번호, whatever its spelling."""

from __future__ import annotations

import pytest

from sori.wiring import mask_complaint_text


@pytest.mark.parametrize(
    "number",
    ["900101-1234567", "991332-1234567", "900101  -  1234567", "900101―1234567", "900101\n1234567", "9001011234567"],
)
def test_no_resident_number_survives_the_wired_masker(number: str) -> None:
    masked = mask_complaint_text(f"제 주민번호는 {number} 입니다. 연락 주세요.")
    assert "1234567" not in masked and "연락 주세요" in masked
