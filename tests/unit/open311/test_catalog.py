"""The bundled catalog: it loads, its centers exist, its categories route, its attributes follow the spec."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analytics.classify.routing import ROUTES, agency_for
from crm.open311.catalog import LIST_TYPES, Datatype, list_services, load_catalog, service_definition
from crm.open311.errors import JurisdictionNotFound, ServiceCodeNotFound
from crm.open311.regions import REGIONS
from kernel.centers import Center

CENTERS_CSV = Path(__file__).resolve().parents[3] / "sori" / "seed" / "centers.csv"


def seed_centers() -> list[Center]:
    with CENTERS_CSV.open(encoding="utf-8") as f:
        return [
            Center(code=row["code"], name=row["name"], institution=row["institution"],
                   public_number=row["public_number"], region=row["region"], active=row["active"] == "yes")
            for row in csv.DictReader(f)
        ]  # fmt: skip


def test_the_catalog_loads_fifteen_or_so_services_with_unique_ascii_codes() -> None:
    catalog = load_catalog()
    codes = [s.code for s in catalog.services]
    assert 12 <= len(codes) <= 20 and len(set(codes)) == len(codes)
    assert all(code.isascii() and code == code.upper() for code in codes)
    assert {s.scope for s in catalog.services} == {"local", "national"}


def test_every_center_exists_and_every_category_routes_to_that_center() -> None:
    centers = {c.code: c for c in seed_centers()}
    for service in load_catalog().services:
        assert service.category in ROUTES, service.code
        if service.local:
            assert service.center is None and service.institution is None
            continue
        assert service.center in centers, service.code
        assert centers[service.center].institution == service.institution
        assert agency_for(service.category).center == service.center, service.code


def test_attributes_use_the_spec_datatypes_and_list_types_have_values() -> None:
    services = load_catalog().services
    assert any(s.metadata for s in services) and any(not s.metadata for s in services)
    for service in services:
        orders = [a.order for a in service.attributes]
        assert orders == sorted(orders)
        for attribute in service.attributes:
            assert attribute.datatype in set(Datatype)
            assert bool(attribute.values) == (attribute.datatype in LIST_TYPES), attribute.code
            assert attribute.description and attribute.variable
    road = load_catalog().service("ROAD-DAMAGE")
    assert road is not None
    damage = road.attribute("damage_type")
    assert damage is not None and damage.required and damage.datatype is Datatype.SINGLEVALUELIST


def test_jurisdictions_are_the_institutions_of_active_centers() -> None:
    catalog = load_catalog(seed_centers())
    assert catalog.region_of_jurisdiction("서울특별시") == "서울특별시"
    assert catalog.knows("국세청") and catalog.region_of_jurisdiction("국세청") is None
    assert catalog.regional_centers["서울특별시"] == "SEOUL120"
    assert set(catalog.regional_centers) <= set(REGIONS)
    seoul = {s.code for s in list_services(catalog, "서울특별시")}
    assert "ROAD-DAMAGE" in seoul and "NATIONAL-TAX" not in seoul
    assert {s.code for s in list_services(catalog, "국세청")} == {"NATIONAL-TAX"}
    assert len(list_services(catalog, None)) == len(catalog.services)
    with pytest.raises(JurisdictionNotFound):
        list_services(catalog, "없는 기관")


def test_service_definition_checks_the_jurisdiction() -> None:
    catalog = load_catalog(seed_centers())
    assert service_definition(catalog, "ROAD-DAMAGE", None).name == "도로·보도 파손"
    assert service_definition(catalog, "ROAD-DAMAGE", "부산광역시").code == "ROAD-DAMAGE"
    with pytest.raises(ServiceCodeNotFound):
        service_definition(catalog, "NATIONAL-TAX", "부산광역시")
    with pytest.raises(ServiceCodeNotFound):
        service_definition(catalog, "NOPE", None)
    with pytest.raises(JurisdictionNotFound):
        service_definition(catalog, "ROAD-DAMAGE", "없는 기관")
