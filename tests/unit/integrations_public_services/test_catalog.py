"""The shipped public-service catalog: the converter's newest-wins rule, the shipped file, and its loader."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from integrations.public_services import build_catalog as bc
from integrations.public_services.catalog import PublicService, load_catalog

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SHIPPED = Path(__file__).resolve().parents[3] / "integrations" / "public_services" / "data" / "catalog.jsonl.gz"


def _bojo24(service_id: str, updated: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "서비스ID": service_id,
        "서비스명": f"서비스 {service_id}",
        "소관기관명": "보건복지부",
        "수정일시": updated,
        "조회수": 7,
        "cond": {"JA0110": 65, "JA0111": 120},
    }
    record.update(fields)
    return record


def _write_fixture_sources(root: Path) -> None:
    old = [
        _bojo24("A1", "20250101120000", 지원대상="옛 대상", 선정기준="옛 기준", 전화문의="보건복지부/129"),
        _bojo24("A2", "20250301000000", 지원대상="2025 대상"),
        _bojo24("A3", "20250101000000"),
    ]
    new = [
        # Newer, and without 선정기준/전화문의: the older values must NOT be carried over.
        _bojo24("A1", "20260102030405", 지원대상="새 대상", 지원유형="현금", cond={"JA0101": "Y"}),
        _bojo24("A2", "20240101000000", 지원대상="2024 대상"),  # older than the 2025 snapshot's record
        _bojo24("A3", "20250101000000", 지원대상="같은 시각"),  # a tie: the 2026 file wins
    ]
    with gzip.open(root / bc.BOJO24_2025, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in old)
    with gzip.open(root / bc.BOJO24_2026, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in new)
    sample = {"meta": {}, "services": [_bojo24("S1", "20230829141946", 서비스명="샘플")]}
    (root / bc.BOJO24_SAMPLE5).write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    csv_text = (
        "PUBL_SERVC_ID,PUBL_SERVC_TITLE,PUBL_SERVC_JURSDCTN_INST_NM,LAST_UPD_DE,PUBL_SERVC_PURPS_DTCONT,"
        "SPORT_FORM_DTLS,PUBL_SERVC_DETAIL_URL,PUBL_SERVC_DETAIL_KORL_URL\n"
        "A2,경기 옛 서비스,경기도 이천시 복지과,2020-11-05,목적,현금/현물,http://www.gov.kr/x,http://www.gov.kr/y\n"
        "G1,경기 서비스,경기도 이천시 복지과,2020-11-05,목적 문장,문화/여가지원||현금/현물,http://www.gov.kr/g1,\n"
    )
    (root / bc.GOV24_GYEONGGI).write_bytes(gzip.compress(csv_text.encode("utf-8")))


def test_converter_keeps_the_newest_record_whole_and_names_its_source(tmp_path: Path) -> None:
    _write_fixture_sources(tmp_path)
    by_id = {r["id"]: r for r in bc.build(tmp_path)}

    assert sorted(by_id) == ["A1", "A2", "A3", "G1", "S1"]
    a1 = by_id["A1"]
    assert a1["source"] == bc.BOJO24_2026
    assert a1["updated_at"] == "2026-01-02T03:04:05"
    assert a1["target"] == "새 대상"
    assert a1["support_form"] == "현금"
    assert a1["criteria"] is None  # not taken from the older snapshot
    assert a1["phone"] is None
    assert a1["cond"] == {"JA0101": "Y"}  # the newer conditions whole, no merge with the older age codes

    assert by_id["A2"]["source"] == bc.BOJO24_2025  # the 2025 file's record is newer here
    assert by_id["A2"]["target"] == "2025 대상"
    assert by_id["A3"]["source"] == bc.BOJO24_2026  # equal 수정일시: the newer snapshot wins
    assert by_id["A3"]["target"] == "같은 시각"

    g1 = by_id["G1"]
    assert (g1["source"], g1["name"], g1["updated_at"]) == (bc.GOV24_GYEONGGI, "경기 서비스", "2020-11-05T00:00:00")
    assert g1["support_form"] == "문화/여가지원||현금/현물"
    assert by_id["S1"]["source"] == bc.BOJO24_SAMPLE5


def test_converter_output_loads_as_a_catalog(tmp_path: Path) -> None:
    _write_fixture_sources(tmp_path)
    out = tmp_path / "catalog.jsonl.gz"
    assert bc.main(["--shared", str(tmp_path), "--out", str(out)]) == 0
    catalog = load_catalog(out)
    assert len(catalog) == 5
    a1 = catalog["A1"]
    assert isinstance(a1, PublicService)
    assert a1.views == 7 and a1.cond == {"JA0101": "Y"}
    assert catalog.get("nope") is None and "G1" in catalog
    with pytest.raises(AttributeError):
        a1.name = "바뀜"  # type: ignore[misc]


def test_timestamps_are_normalised_or_refused() -> None:
    assert bc.normalise_timestamp("20250430154938") == "2025-04-30T15:49:38"
    assert bc.normalise_timestamp("2020-11-05") == "2020-11-05T00:00:00"
    assert bc.normalise_timestamp(None) is None
    with pytest.raises(ValueError):
        bc.normalise_timestamp("2025-04")


def test_shipped_catalog_loads_with_services_from_every_source() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 10_000
    assert catalog["000000465790"].source == bc.BOJO24_2026  # in 2025 and 2026 files: the 2026 record
    assert catalog["000000465790"].updated_at == "2026-01-29T20:18:25"
    assert catalog["000000465790"].support_form == "현금(감면)"
    assert catalog["SSE000000170"].name == "기초연금"
    assert catalog["407000000241"].source == bc.GOV24_GYEONGGI
    assert catalog["407000000241"].name == "도시가스 배관망 지원사업"
    assert {s.source for s in catalog} >= {bc.BOJO24_2025, bc.BOJO24_2026, bc.GOV24_GYEONGGI}
    # The sample's records all have a newer version in the 2025 file: each must be that one.
    assert catalog["611000000127"].source == bc.BOJO24_2025
    assert catalog["611000000127"].updated_at is not None
    assert catalog["611000000127"].updated_at > "2021-09-23T12:34:56"


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data absent at {SHARED}: cannot rebuild the catalog")
def test_shipped_catalog_is_exactly_what_the_converter_builds_from_shared_data() -> None:
    assert bc.encode(bc.build(SHARED)) == SHIPPED.read_bytes()


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data absent at {SHARED}: cannot check the snapshot choice")
def test_ids_in_both_bojo24_files_come_whole_from_the_newer_record() -> None:
    def read(name: str) -> dict[str, dict[str, Any]]:
        with gzip.open(SHARED / name, "rt", encoding="utf-8") as f:
            return {r["서비스ID"]: r for r in map(json.loads, f)}

    old, new = read(bc.BOJO24_2025), read(bc.BOJO24_2026)
    both = sorted(old.keys() & new.keys())
    assert len(both) == 968
    catalog = load_catalog()
    for service_id in both[::50]:
        newer = new if new[service_id]["수정일시"] >= old[service_id]["수정일시"] else old
        service = catalog[service_id]
        assert service.source == (bc.BOJO24_2026 if newer is new else bc.BOJO24_2025)
        raw = newer[service_id]
        assert service.criteria == bc.from_bojo24(raw, service.source)["criteria"]
        assert service.target == bc.from_bojo24(raw, service.source)["target"]
        assert dict(service.cond) == raw["cond"]
