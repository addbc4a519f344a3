"""The certificate kinds table: the default kinds, their published fees by channel, deliveries, and loading a
table from configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from integrations.certificates.kinds import KindTable, KindTableInvalid, default_kinds
from integrations.certificates.port import IssueRequest
from tests.unit.integrations_certificates.conftest import make_issuer


def test_the_default_table_holds_the_common_certificates_with_their_agencies() -> None:
    kinds = default_kinds()
    names = {kind.name: kind for kind in kinds}
    for name in (
        "주민등록표 등본",
        "주민등록표 초본",
        "가족관계증명서",
        "기본증명서",
        "건강보험자격득실확인서",
        "납세증명서",
    ):
        assert name in names
    assert names["가족관계증명서"].agency == "법원행정처"
    assert names["건강보험자격득실확인서"].agency == "국민건강보험공단"
    assert all(kind.id.isascii() and kind.id == kind.id.lower() for kind in kinds)


def test_fees_by_channel_are_the_published_ones_and_absent_channels_are_not_offered() -> None:
    kinds = default_kinds()
    copy, family, insurance = kinds.find("등본"), kinds.find("가족관계증명서"), kinds.find("건강보험자격득실확인서")
    assert copy is not None and family is not None and insurance is not None
    assert (copy.fee("online"), copy.fee("counter"), copy.fee("ivr")) == (0, 400, None)
    assert (family.fee("online"), family.fee("counter"), family.fee("phone")) == (0, 1000, None)
    assert {insurance.fee(channel) for channel in ("online", "counter", "phone", "ivr")} == {0}


def test_deliveries_allowed_differ_by_kind() -> None:
    kinds = default_kinds()
    copy, tax = kinds.find("resident-register-copy"), kinds.find("납세증명서")
    assert copy is not None and tax is not None
    assert copy.deliveries == {"post", "wallet"}
    assert tax.deliveries == {"email", "fax", "post", "wallet"}


def test_lookup_by_id_name_alias_and_spacing() -> None:
    kinds = default_kinds()
    assert kinds.find("주민등록표등본") is kinds.find("resident-register-copy") is kinds.find("등본")
    assert kinds.find("운전경력증명서") is None


def test_a_table_round_trips_through_json_and_loads_from_a_dict() -> None:
    data = json.loads(json.dumps(default_kinds().to_dict(), ensure_ascii=False))
    loaded = KindTable.from_dict(data)
    assert [kind.to_dict() for kind in loaded] == [kind.to_dict() for kind in default_kinds()]


def _one(**changes: Any) -> dict[str, Any]:
    kind = {"id": "parking", "name": "주차확인서", "agency": "구청", "fees": {"counter": 500}, "deliveries": ["post"]}
    kind.update(changes)
    return {"kinds": [kind]}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kinds": []},
        _one(id="주차"),
        _one(fees={"counter": -1}),
        _one(fees={"drone": 0}),
        _one(fees={"counter": True}),
        _one(deliveries=["pigeon"]),
        _one(deliveries=[]),
        _one(details=["blood_type"]),
        {"kinds": [_one()["kinds"][0], _one()["kinds"][0]]},
        {"kinds": [{"id": "x"}]},
    ],
)
def test_a_malformed_table_is_refused_with_a_stable_code(data: dict[str, Any]) -> None:
    with pytest.raises(KindTableInvalid) as refused:
        KindTable.from_dict(data)
    assert refused.value.code == "certificate-kind-table-invalid"


def test_an_issuer_issues_from_a_configured_table() -> None:
    issuer = make_issuer(kinds=KindTable.from_dict(_one()))
    issued = issuer.issue(IssueRequest("010-5000-0001", "주차확인서", "counter", "post"))
    assert (issued.kind, issued.fee, issued.agency) == ("parking", 500, "구청")
    assert [kind.id for kind in issuer.kinds()] == ["parking"]
