"""The wrap-up code book: defaults, per-center lists, checks with a Korean refusal, configuration validation."""

from __future__ import annotations

import pytest

from crm.cases.wrap_up_codes import DEFAULT_CODES, UnknownWrapUpCode, WrapUpCodeBook
from sori.config import Settings


def test_every_center_has_the_defaults_unless_it_has_its_own() -> None:
    book = WrapUpCodeBook({"NTS126": [("tax-informed", "세금 안내"), ("other", "기타")]})
    assert book.for_center("ACRC110") == DEFAULT_CODES
    assert [code for code, _ in DEFAULT_CODES] == [
        "informed", "resolved", "transferred", "callback-needed", "complaint-filed", "wrong-number", "other",
    ]  # fmt: skip
    assert book.for_center("NTS126") == (("tax-informed", "세금 안내"), ("other", "기타"))
    assert book.label("NTS126", "tax-informed") == "세금 안내"
    assert book.label("NTS126", "informed") is None, "a center's own list replaces the defaults"
    assert book.label("ACRC110", "informed") == "안내 완료"


def test_check_refuses_another_centers_code_with_a_korean_message() -> None:
    book = WrapUpCodeBook({"NTS126": [("tax-informed", "세금 안내")]})
    assert book.check("NTS126", "tax-informed") == "tax-informed"
    with pytest.raises(UnknownWrapUpCode) as refused:
        book.check("ACRC110", "tax-informed")
    assert refused.value.code == "unknown-wrap-up-code"
    assert "후처리 코드" in str(refused.value)


@pytest.mark.parametrize(
    "codes",
    [
        [],
        [("informed", "")],
        [("", "안내")],
        [("informed", "안내"), ("informed", "또 안내")],
        [("Informed", "안내")],
        [("x" * 31, "안내")],
        [("informed", "가" * 41)],
    ],
)
def test_bad_lists_are_refused(codes: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="wrap-up codes of NTS126"):
        WrapUpCodeBook({"NTS126": codes})


def test_configuration_is_validated_at_start() -> None:
    settings = Settings(wrap_up={"codes": {"NTS126": [["tax-informed", "세금 안내"]]}})
    assert settings.wrap_up.codes == {"NTS126": [("tax-informed", "세금 안내")]}
    with pytest.raises(ValueError, match="wrap-up codes of NTS126"):
        Settings(wrap_up={"codes": {"NTS126": []}})


@pytest.mark.parametrize("rule", [{"mode": "later"}, {"mode": "timed", "seconds": -1}, {"mode": "none", "extra": 1}])
def test_after_call_rules_are_validated_at_start(rule: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="after_call"):
        Settings(telephony={"after_call": {"NTS126": rule}})
