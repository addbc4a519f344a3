"""The console's 이석 reasons: the default list for every center, a center's own list when configured, and a
reason another center uses (or nobody uses) refused with a Korean message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from console.reasons import DEFAULT_REASONS, ReasonBook, UnknownReason
from sori.config import Settings


def test_every_center_gets_the_default_reasons() -> None:
    book = ReasonBook()
    assert [code for code, _ in book.for_center("ACRC110")] == ["meal", "training", "meeting", "personal",
                                                                "break", "admin"]  # fmt: skip
    assert book.label("NTS126", "meal") == "식사" and book.label("NTS126", "admin") == "사무처리"
    assert book.check("ACRC110", "meeting") == "meeting"


def test_a_center_configures_its_own_reasons_and_others_keep_the_default() -> None:
    book = ReasonBook({"NTS126": [("meal", "식사"), ("field", "현장 지원")]})
    assert book.for_center("NTS126") == (("meal", "식사"), ("field", "현장 지원"))
    assert book.check("NTS126", "field") == "field"
    assert book.for_center("ACRC110") == DEFAULT_REASONS
    with pytest.raises(UnknownReason) as refused:
        book.check("NTS126", "training")  # a default reason this center does not use
    assert refused.value.code == "unknown-reason" and "이석 사유" in refused.value.message
    with pytest.raises(UnknownReason):
        book.check("ACRC110", "field")  # NTS126's own reason is not ACRC110's


@pytest.mark.parametrize("code", ["", "lunch", "MEAL", "식사"])
def test_unknown_codes_and_labels_are_not_reasons(code: str) -> None:
    assert ReasonBook().label("ACRC110", code) is None
    with pytest.raises(UnknownReason):
        ReasonBook().check("ACRC110", code)


@pytest.mark.parametrize("reasons", [[], [("meal", "식사"), ("meal", "점심")], [("", "식사")], [("meal", " ")]])
def test_a_malformed_center_list_is_refused_at_start(reasons: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="X"):
        ReasonBook({"X": reasons})


def test_the_settings_carry_each_centers_reasons_and_refuse_malformed_ones() -> None:
    settings = Settings(console={"not_ready_reasons": {"NTS126": [["meal", "식사"], ["field", "현장 지원"]]}})
    book = ReasonBook(settings.console.not_ready_reasons)
    assert book.for_center("NTS126") == (("meal", "식사"), ("field", "현장 지원"))
    assert book.for_center("ACRC110") == DEFAULT_REASONS
    assert Settings().console.not_ready_reasons == {}, "the defaults unless configured"
    with pytest.raises(ValidationError, match="NTS126"):
        Settings(console={"not_ready_reasons": {"NTS126": [["meal", "식사"], ["meal", "점심"]]}})
