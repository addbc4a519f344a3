"""The report's charts and tables (``analytics.report.figures``), which ``sori report`` and the analyst dashboard
both draw: built from a hand-made ``ReportData`` so every figure is checked against known numbers."""

from __future__ import annotations

import datetime as dt
import math

from analytics.report import figures as f
from analytics.trends.continuity import ContinuityMetrics
from analytics.trends.report import ReportData, SeasonalRow, SurgeKeyword
from analytics.trends.surge import Surge
from analytics.trends.topics import Topic

DAY = dt.date(2026, 3, 2)


def report(**changes: object) -> ReportData:
    base = ReportData(
        start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 3), equals={"channel": "phone"}, total=7,
        by_day=[(dt.date(2026, 3, 1), 3), (DAY, 4)], by_week=[(dt.date(2026, 2, 23), 3), (DAY, 4)],
        by_month=[(dt.date(2026, 3, 1), 7)],
        breakdowns={"channel": [("phone", 7)], "category": [("행정", 5), ("세금", 2)], "sex": [], "region": []},
        surge_day=DAY,
        surges=[SurgeKeyword(Surge("재난지원금", 4.2, 3, 0.75, 0.0, math.inf), (("d1", "지원금 지연"), ("d2", "신청"))),
                SurgeKeyword(Surge("여권", 3.1, 2, 0.5, 0.1, 5.0), ())],
        topics=[Topic(("여권", "재발급", "수수료", "기간"), 5, ("여권 재발급", "수수료 문의")),
                Topic(("세금", "신고"), 2, ("종소세",))],
        seasonal=[SeasonalRow("행정", 5, {2025: 2, 2024: 4}, 5 / 3 - 1),
                  SeasonalRow("세금", 2, {2025: 0, 2024: 0}, None)],
        continuity=ContinuityMetrics(contacts=7, citizens=5, known_citizen_contacts=6, repeat_contacts=2,
                                     cases_opened=4, first_contact_resolved=1, chains={"0": 3, "1": 1, "2": 0, "3+": 0},
                                     transfers=[("ACRC110", "NTS126", 1)], callbacks={"done": 1, "failed": 1}),
    )  # fmt: skip
    return ReportData(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_volume_and_breakdown_charts_carry_the_counts_with_korean_labels() -> None:
    daily, weekly = f.volume_charts(report())
    assert list(daily.data[0].y) == [3, 4] and list(weekly.data[0].y) == [3, 4]
    assert daily.layout.title.text == "일별 민원·상담 건수"
    charts = f.breakdown_charts(report())
    assert [c.layout.title.text for c in charts] == ["채널별 건수", "분야별 건수"], "empty facets are left out"
    assert list(charts[0].data[0].x) == ["전화 상담"] and list(charts[1].data[0].y) == [5, 2]
    assert f.monthly_table(report()).rows == [["2026-03", "7"]]
    assert f.channel_counts(report()) == {"전화 상담": 7} and f.scope_text(report()) == "채널=전화 상담"


def test_surges_topics_and_the_topic_map() -> None:
    surges = f.surge_table(report())
    assert surges.rows[0][:6] == ["재난지원금", "4.2", "3", "75.0%", "0.0%", "신규"]
    assert surges.rows[0][6] == "지원금 지연\n신청" and surges.multiline == (6,) and surges.rows[1][5] == "5.0배"
    assert f.topic_table(report()).rows[0] == ["1", "5", "여권, 재발급, 수수료, 기간", "여권 재발급\n수수료 문의"]
    treemap = f.topic_map(report())
    assert treemap is not None
    assert list(treemap.data[0].labels) == ["1. 여권 · 재발급 · 수수료", "2. 세금 · 신고"]
    assert list(treemap.data[0].values) == [5, 2]
    assert f.topic_map(report(topics=[])) is None


def test_seasonal_and_continuity_tables() -> None:
    seasonal = f.seasonal_table(report())
    assert seasonal is not None and seasonal.headers == ["분야", "올해", "2025년", "2024년", "변화"]
    assert seasonal.rows == [["행정", "5", "2", "4", "+67%"], ["세금", "2", "0", "0", ""]]
    assert f.seasonal_table(report(seasonal=[SeasonalRow("행정", 5, {}, None)])) is None
    c = f.continuity_tables(report().continuity)  # type: ignore[arg-type]
    assert c.summary.rows[1] == ["반복 상담 (7일 이내)", "2건 · 33.3%"]
    assert c.summary.rows[2] == ["최초 상담 해결률 (FCR)", "1 / 4건 · 25.0%"]
    assert c.summary.rows[3] == ["콜백 완료율", "50.0% (2건 예약)"]
    assert c.transfers is not None and c.transfers.rows == [["ACRC110", "NTS126", "1"]]
    assert c.callbacks.rows == [["완료", "1"], ["실패", "1"]]
