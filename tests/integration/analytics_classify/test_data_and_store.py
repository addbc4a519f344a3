"""Loading labelled files (JSONL, CSV, gzip; bad rows reported by line), the training-data fingerprint,
saving and reloading a model, and the routing table."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from analytics.classify import Classifier, store
from analytics.classify.data import Record, join_text, load
from analytics.classify.model import Doc, ModelConfig, fit
from analytics.classify.routing import ROUTES, agency_for

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
PETITION_CATEGORIES = ["경제민주화", "교통/건축/국토", "기타", "농산어촌", "문화/예술/체육/언론", "미래", "반려동물",
                       "보건복지", "성장동력", "안전/환경", "외교/통일/국방", "육아/교육", "인권/성평등", "일자리",
                       "저출산/고령화대책", "정치개혁", "행정"]  # fmt: skip


def test_jsonl_rows_are_read_and_bad_ones_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl.gz"
    lines = [
        {"petition_idx": "1", "category": "행정", "title": "여권 발급", "content": "기간 단축", "agree": "99"},
        {"category": "보건복지", "title": "", "content": "본문만 있는 청원"},
        "[1, 2]",
        {"category": "", "title": "분류 없음", "content": "x"},
        "{broken",
        "",
        {"category": "행정", "title": " ", "content": None},
        {"category": "행정", "title": "제목만", "content": None},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text + "\n")
    data = load([path], "category")
    assert [(r.label, r.text, r.source) for r in data.records] == [
        ("행정", "여권 발급\n기간 단축", "rows.jsonl.gz:1"),
        ("보건복지", "본문만 있는 청원", "rows.jsonl.gz:2"),
        ("행정", "제목만", "rows.jsonl.gz:8"),
    ]
    assert data.records[0].id == "1" and data.records[1].id == "rows.jsonl.gz:2"
    assert [(p.line, str(p).split(": ", 1)[1].split(" (")[0]) for p in data.problems] == [
        (3, "a JSON list, not an object"), (4, "no label"), (5, "not valid JSON"), (7, "no text"),
    ]  # fmt: skip
    assert "99" not in data.records[0].text  # only title and body: nothing that could leak the label


def test_csv_rows_keep_their_line_numbers_across_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "분류", "제목", "내용"])
        writer.writerow(["a", "세금", "종합소득세 신고", "기한을\n여러 줄로\n물어봄"])
        writer.writerow(["b", "", "분류 없음", "x"])
        writer.writerow(["c", "고용", "실업급여", "수급 자격"])
    data = load([path], "분류")
    assert [(r.id, r.label, r.source) for r in data.records] == [
        ("a", "세금", "calls.csv:2"),
        ("c", "고용", "calls.csv:6"),
    ]
    assert [(p.line, p.reason.split(" (")[0]) for p in data.problems] == [(5, "no label")]


def test_the_fingerprint_follows_the_data_not_the_file_order() -> None:
    records = [Record(str(i), f"제목 {i}", f"본문 {i}", "행정" if i % 2 else "보건복지", f"f:{i}") for i in range(20)]
    base = store.fingerprint(records)
    assert store.fingerprint(list(reversed(records))) == base
    relabelled = [*records[:-1], Record("19", "제목 19", "본문 19", "기타", "f:19")]
    edited = [*records[:-1], Record("19", "제목 19", "본문 19 수정", records[-1].label, "f:19")]
    fewer, more = records[:-1], [*records, Record("20", "새 제목", "", "행정", "f:20")]
    prints = {store.fingerprint(r) for r in (relabelled, edited, fewer, more)}
    assert len(prints) == 4 and base not in prints


def _toy_model_dir(tmp_path: Path) -> tuple[Path, store.ModelMeta]:
    texts = {"행정": "여권 발급 주민등록 등본 전입신고", "반려동물": "강아지 고양이 동물 학대 유기견 입양"}
    docs, labels = [], []
    for label, words in texts.items():
        for i in range(12):
            text = join_text(f"{label} 민원 {i}", words)
            docs.append(Doc(text, tuple(text.split())))
            labels.append(label)
    model = fit(docs, labels, ModelConfig(min_df=1, char_min_df=1))
    meta = store.ModelMeta(
        name="toy", label="category", classes=model.classes, merged={}, n=len(docs), fingerprint="0" * 64,
        versions=store.library_versions(), created=store.now_iso(),
    )  # fmt: skip
    store.save(tmp_path, model, meta, {"accuracy": 1.0})
    return tmp_path, meta


def test_a_saved_model_reloads_and_refuses_other_library_versions(tmp_path: Path) -> None:
    model_dir, meta = _toy_model_dir(tmp_path)
    classifier = Classifier.load(model_dir, "toy", tokenize=str.split)
    assert classifier.meta == meta
    assert classifier.suggest("유기견 입양", title="동물")[0][0] == "반려동물"
    assert classifier.route("전입신고 등본")[0].agency == agency_for("행정")
    assert not list(model_dir.glob("toy/.*"))  # no temporary files left

    with pytest.raises(store.ModelNotFound, match="no trained model 'other'"):
        Classifier.load(model_dir, "other")
    meta_file = model_dir / "toy" / store.META_FILE
    stale = json.loads(meta_file.read_text(encoding="utf-8"))
    stale["versions"]["scikit-learn"] = "0.24.2"
    meta_file.write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(store.ModelMismatch, match=r"scikit-learn 0\.24\.2"):
        Classifier.load(model_dir, "toy")


def test_every_petition_category_routes_to_a_real_center() -> None:
    with (REPO / "sori" / "seed" / "centers.csv").open(encoding="utf-8") as handle:
        centers = {row["code"] for row in csv.DictReader(handle)}
    assert {a.center for a in ROUTES.values()} <= centers
    assert set(PETITION_CATEGORIES) <= set(ROUTES)
    assert agency_for("일자리").center == "MOEL1350" and agency_for("세금").center == "NTS126"
    assert agency_for("처음 보는 분류").center == "ACRC110"
