"""The public-service port's contract, run against every adapter: in process over the shipped catalog, and the
HTTP adapter talking to the reference service (``sori refsvc``) over real loopback HTTP. Both must give the
same answers, so a test here that passes on one and fails on the other is a defect of the adapter."""

from __future__ import annotations

import pytest

from integrations.public_services.applicant import Applicant
from integrations.public_services.catalog import load_catalog
from integrations.public_services.conditions import Sex
from integrations.public_services.http_adapter import HttpDirectory
from integrations.public_services.local import CatalogDirectory
from integrations.public_services.port import PublicServiceDirectory
from integrations.public_services.regions import Region
from integrations.settings import ToolConfig
from kernel.errors import ValidationFailed
from tests.support.refsvc import RefSvc, key_of

pytestmark = pytest.mark.integration

DENTURES = {"135200000002", "650000000225", "354000000107", "407000000117", "627000000127"}  # relevance.json


@pytest.fixture(params=["in-process", "http"])
def directory(request: pytest.FixtureRequest, catalog_directory: CatalogDirectory) -> PublicServiceDirectory:
    if request.param == "in-process":
        return catalog_directory
    refsvc: RefSvc = request.getfixturevalue("refsvc")
    return HttpDirectory(
        refsvc.base("public-services"), key_of("public-services"), ToolConfig(read_timeout_s=10, deadline_s=20)
    )


def test_a_plain_korean_query_finds_the_service_first(directory: PublicServiceDirectory) -> None:
    found = directory.search("어르신 틀니")
    assert found.total >= 1
    assert found.items[0].id in DENTURES
    assert found.query == "어르신 틀니"
    assert all(item.name for item in found.items)


def test_pages_are_slices_of_one_ranking(directory: PublicServiceDirectory) -> None:
    whole = directory.search("청년 월세", limit=20)
    first, second = directory.search("청년 월세", limit=10), directory.search("청년 월세", limit=10, offset=10)
    assert [i.id for i in first.items + second.items] == [i.id for i in whole.items]
    assert first.total == second.total == whole.total
    assert second.offset == 10


def test_filters_narrow_the_results(directory: PublicServiceDirectory) -> None:
    everything = directory.search("장학금", limit=50)
    seoul = directory.search("장학금", agency="서울", limit=50)
    assert 0 < seoul.total < everything.total
    assert all(item.agency is not None and "서울" in item.agency for item in seoul.items)
    cash = directory.search("장학금", support_form="현금", limit=50)
    assert cash.total <= everything.total
    assert all(item.support_form is not None and "현금" in item.support_form.split("||") for item in cash.items)


@pytest.mark.parametrize("query", ["", "   ", "가" * 201])
def test_a_blank_or_overlong_query_is_refused(directory: PublicServiceDirectory, query: str) -> None:
    with pytest.raises(ValidationFailed):
        directory.search(query)


def test_one_service_as_published(directory: PublicServiceDirectory) -> None:
    record = load_catalog()["135200000120"]
    found = directory.service("135200000120")
    assert found is not None
    assert (found.id, found.name, found.agency, found.target) == (record.id, record.name, record.agency, record.target)
    assert directory.service("000000000000X") is None


def test_eligibility_answers_per_condition_and_overall(directory: PublicServiceDirectory) -> None:
    service = next(s for s in load_catalog() if s.cond.get("JA0110") == 65 and len(s.cond) <= 4)
    older = directory.eligibility(service.id, Applicant(age=70))
    younger = directory.eligibility(service.id, Applicant(age=58))
    silent = directory.eligibility(service.id, Applicant())
    assert older is not None and younger is not None and silent is not None
    age = [c for c in younger.conditions if c.code.startswith("JA0110")]
    assert age and age[0].answer == "no" and "58" in age[0].reason
    assert younger.overall == "no"
    assert [c.answer for c in older.conditions if c.code.startswith("JA0110")] == ["yes"]
    assert silent.overall == "unknown"  # nothing entered is "not asked", never "no"
    assert directory.eligibility("000000000000X", Applicant(age=70)) is None


def test_both_adapters_agree(catalog_directory: CatalogDirectory, refsvc: RefSvc) -> None:
    http = HttpDirectory(
        refsvc.base("public-services"), key_of("public-services"), ToolConfig(read_timeout_s=10, deadline_s=20)
    )
    for query in ("한부모 양육비", "할머니 이빨 치료비", "장애인 활동지원"):
        assert http.search(query, limit=10) == catalog_directory.search(query, limit=10)
    person = Applicant(age=34, sex=Sex.F, region=Region.parse("경기 수원시"), income_band=2)
    for service_id in ("135200000120", "SSI000000020", "000000016710"):
        assert http.eligibility(service_id, person) == catalog_directory.eligibility(service_id, person)
        assert http.service(service_id) == catalog_directory.service(service_id)
