"""The canonical content (what is signed), masking, and the verification URL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from integrations.certificates.citizens import CitizenRecord, CitizenRecordInvalid, mask_contact, mask_name
from integrations.certificates.document import CertificateContent, ContentInvalid, verify_url


def _content(**changes: object) -> CertificateContent:
    base = CertificateContent(
        "tax-payment", "납세증명서", "1234-5678-9012-3456", dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC),
        "홍길동", "800101-1******", "대출 신청용", "국세청", "ABCD2345",
        verify_url("https://v.example/", "1234-5678-9012-3456", "ABCD2345"), (("address", "서울특별시 종로구 1"),),
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_canonical_bytes_are_deterministic_and_parse_back() -> None:
    content = _content()
    data = content.to_bytes()
    assert data == _content().to_bytes()
    assert CertificateContent.from_bytes(data) == content
    text = data.decode()
    assert text.startswith("SORI-CERTIFICATE/1\nkind=tax-payment\n")
    assert "issued_at=2026-03-02T09:30:00+09:00\n" in text  # shown in Asia/Seoul whatever the input zone
    assert "masked_rrn=800101-1******" in text


def test_the_verification_url_carries_number_and_code() -> None:
    assert _content().verify_url == "https://v.example/verify?no=1234-5678-9012-3456&code=ABCD2345"


@pytest.mark.parametrize(
    "changes", [{"name": "홍길동\nkind=x"}, {"masked_rrn": "8001011234567"}, {"issued_at": dt.datetime(2026, 3, 2)}]
)
def test_content_refuses_line_breaks_clear_numbers_and_naive_times(changes: dict[str, object]) -> None:
    with pytest.raises(ContentInvalid):
        _content(**changes)


def test_parsing_refuses_anything_not_canonical() -> None:
    data = _content().to_bytes()
    lines = data.decode().split("\n")
    swapped = "\n".join([lines[0], lines[2], lines[1], *lines[3:]]).encode()
    for bad in (b"", b"garbage", data.replace(b"name=", b"nam="), swapped, data[:-1], b"\xff" + data):
        with pytest.raises(ContentInvalid):
            CertificateContent.from_bytes(bad)


def test_names_and_contact_points_are_masked() -> None:
    assert [mask_name(n) for n in ("홍길동", "김철", "남궁민수", "이")] == ["홍*동", "김*", "남**수", "이"]
    assert mask_contact("email", "citizen03@example.kr") == "c***@example.kr"
    assert mask_contact("fax", "02-3005-5035") == "***-5035"
    assert mask_contact("post", "서울특별시 종로구 새문안로 10") == "서울특별시 종로구 ***"


def test_a_citizen_record_never_holds_a_clear_resident_number() -> None:
    with pytest.raises(CitizenRecordInvalid):
        CitizenRecord("010-1", "홍길동", "800101-1234567")
    record = CitizenRecord("010-1", "홍길동", "800101-1******", email="a@b.kr")
    assert CitizenRecord.from_dict(record.to_dict()) == record
    assert (record.contact_point("email"), record.contact_point("fax"), record.contact_point("wallet")) == (
        "a@b.kr",
        None,
        None,
    )
