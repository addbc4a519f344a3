"""Wrap-up codes over HTTP: each center's codes for the console's select, a call's wrap-up needs one of its
center's codes, the code is stored on the contact and read back on the case."""

from __future__ import annotations

import pytest

from sori.wiring import System
from tests.conftest import PASSWORD
from tests.integration.test_api_cases import open_case
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration
CODES = "/api/v1/wrap-up-codes"


@pytest.fixture
def nts_codes(system: System) -> None:
    """NTS126 has its own codes; every other center keeps the defaults."""
    system.settings.wrap_up.codes = {"NTS126": [("tax-informed", "세금 안내"), ("tax-other", "기타 세무")]}


def test_a_call_is_wrapped_up_with_one_of_its_centers_codes_and_the_case_shows_it(
    nts_codes: None, api: RunningApi
) -> None:
    kim = api.client().login("kim", PASSWORD)
    listed = kim.get(CODES)
    assert listed.status_code == 200, listed.text
    assert listed.json()["center_code"] == "ACRC110"
    assert ("informed", "안내 완료") in [(c["code"], c["label"]) for c in listed.json()["codes"]]
    _, number, iid = open_case(api, kim, "kim")
    assert kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"}).status_code == 200
    missing = kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "안내"})
    assert (missing.status_code, missing.json()["error"]) == (422, "wrap-up-code-required")
    unknown = kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "안내", "wrap_up_code": "tax-informed"})
    assert (unknown.status_code, unknown.json()["error"]) == (422, "unknown-wrap-up-code")
    assert "후처리 코드" in unknown.json()["message"] and "tax-other" not in unknown.text
    done = kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "안내", "wrap_up_code": "informed"})
    assert done.status_code == 200, done.text
    assert (done.json()["wrap_up_code"], done.json()["wrap_up_label"]) == ("informed", "안내 완료")
    contacts = kim.get(f"/api/v1/cases/{number}").json()["contacts"]
    assert [(c["id"], c["wrap_up_code"], c["wrap_up_label"]) for c in contacts] == [(iid, "informed", "안내 완료")]


def test_a_center_with_its_own_codes_accepts_only_those(nts_codes: None, api: RunningApi) -> None:
    choi = api.client().login("choi", PASSWORD)
    own = choi.get(CODES).json()
    assert own == {"center_code": "NTS126", "codes": [{"code": "tax-informed", "label": "세금 안내"},
                                                      {"code": "tax-other", "label": "기타 세무"}]}  # fmt: skip
    _, number, iid = open_case(api, choi, "choi", phone="010-4567-8901")
    choi.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    refused = choi.post(f"/api/v1/interactions/{iid}/wrap-up", {"wrap_up_code": "informed"})
    assert (refused.status_code, refused.json()["error"]) == (422, "unknown-wrap-up-code")
    done = choi.post(f"/api/v1/interactions/{iid}/wrap-up", {"wrap_up_code": "tax-informed"})
    assert done.status_code == 200, done.text
    contact = choi.get(f"/api/v1/cases/{number}").json()["contacts"][0]
    assert (contact["wrap_up_code"], contact["wrap_up_label"]) == ("tax-informed", "세금 안내")


def test_only_admins_read_another_centers_codes(nts_codes: None, api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    assert kim.get(CODES + "?center=NTS126").status_code == 403
    root = api.client().login("root", PASSWORD)
    nts = root.get(CODES + "?center=NTS126")
    assert nts.status_code == 200 and [c["code"] for c in nts.json()["codes"]] == ["tax-informed", "tax-other"]
    assert root.get(CODES + "?center=NOPE999").status_code == 404
