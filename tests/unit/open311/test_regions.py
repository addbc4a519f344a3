"""Regions: addresses name their 시·도 by any alias; points take the nearest known city; outside the box, none."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.open311.regions import ALIASES, POINTS, REGIONS, in_service_area, region_of_address, region_of_point


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("서울특별시 중구 세종대로 110", "서울특별시"),
        ("서울 강남구 테헤란로 1", "서울특별시"),
        ("서울시 종로구", "서울특별시"),
        ("경기도 수원시 팔달구 효원로 1", "경기도"),
        ("경기 성남시 분당구", "경기도"),
        ("강원도 춘천시 중앙로 1", "강원특별자치도"),
        ("전라북도 전주시 완산구", "전북특별자치도"),
        ("전북특별자치도 전주시", "전북특별자치도"),
        ("제주도 제주시 문연로 6", "제주특별자치도"),
        ("세종시 한누리대로 2130", "세종특별자치시"),
        ("부산광역시해운대구 중동", "부산광역시"),
        ("경기도 광주시 행정타운로 50", "경기도"),
        ("광주 서구 내방로 111", "광주광역시"),
        ("수원시 팔달구 효원로 241", "경기도"),
        ("포항시 남구 시청로 1", "경상북도"),
        ("충북 청주시 상당구", "충청북도"),
    ],
)
def test_region_of_address(address: str, region: str) -> None:
    assert region_of_address(address) == region


@pytest.mark.parametrize("address", [None, "", "중구 세종대로 110", "광주시 오포읍", "어딘가 123"])
def test_an_address_without_a_known_region_has_none(address: str | None) -> None:
    assert region_of_address(address) is None


def test_every_region_has_its_canonical_name_among_its_aliases_and_its_points() -> None:
    assert len(REGIONS) == 17
    for region, aliases in ALIASES.items():
        assert region in aliases
        assert region_of_address(f"{region} 어느 길 1") == region
        assert any(p[1] == region for p in POINTS)


@pytest.mark.parametrize(
    ("lat", "long", "region"),
    [
        (37.5665, 126.9780, "서울특별시"),  # 서울시청
        (35.1796, 129.0756, "부산광역시"),
        (35.8714, 128.6014, "대구광역시"),
        (36.3504, 127.3845, "대전광역시"),
        (35.1595, 126.8526, "광주광역시"),
        (33.4996, 126.5312, "제주특별자치도"),
        (37.2636, 127.0286, "경기도"),  # 수원
        (37.8813, 127.7298, "강원특별자치도"),  # 춘천
        (37.2417, 131.8647, "경상북도"),  # 독도: nearest is 울릉
        (36.4800, 127.2890, "세종특별자치시"),
    ],
)
def test_region_of_point_for_known_cities(lat: float, long: float, region: str) -> None:
    assert region_of_point(lat, long) == region


@pytest.mark.parametrize(("lat", "long"), [(35.68, 139.69), (39.03, 125.75), (32.5, 126.5), (37.5, 132.5), (0, 0)])
def test_points_outside_the_service_box_have_no_region(lat: float, long: float) -> None:
    assert not in_service_area(lat, long)
    assert region_of_point(lat, long) is None


@given(st.floats(33.0, 38.7), st.floats(124.5, 132.0))
def test_every_point_in_the_box_has_a_region(lat: float, long: float) -> None:
    assert region_of_point(lat, long) in REGIONS


def test_every_city_point_maps_to_its_own_region() -> None:
    for _, region, lat, long in POINTS:
        assert region_of_point(lat, long) == region
