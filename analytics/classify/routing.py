"""Which agency answers for a category: the 17 청와대 국민청원 categories (and a few common complaint
categories of other label sets) mapped to the responsible ministry and the Sori center that takes its calls.

A category's agency is the ministry that owns most petitions of that category; the center is that
ministry's call center in ``sori/seed/centers.csv`` where it has one, and otherwise ACRC110
(정부민원안내콜센터, the 110 that answers for the whole government and transfers on). Categories not in the
table (a label set of another file) route to ACRC110 as well, so every suggestion names an agency.

| category | agency | center |
|---|---|---|
| 보건복지 | 보건복지부 | MOHW129 |
| 저출산/고령화대책 | 보건복지부 | MOHW129 |
| 일자리 | 고용노동부 | MOEL1350 |
| 경제민주화 | 고용노동부 (공정거래·금융 사안은 공정거래위원회·금융위원회로 이관) | MOEL1350 |
| 육아/교육 | 교육부 | ACRC110 |
| 교통/건축/국토 | 국토교통부 | ACRC110 |
| 행정 | 행정안전부 | GOV24 |
| 정치개혁 | 행정안전부 | GOV24 |
| 안전/환경 | 환경부 (재난·치안 사안은 행정안전부·경찰청) | ME128 |
| 인권/성평등 | 여성가족부 | WOMEN1366 |
| 외교/통일/국방 | 국방부 (병역은 병무청) | MMA |
| 문화/예술/체육/언론 | 문화체육관광부 | KTO1330 |
| 반려동물 | 농림축산식품부 | ACRC110 |
| 농산어촌 | 농림축산식품부 | ACRC110 |
| 미래 | 과학기술정보통신부 | KISA118 |
| 성장동력 | 중소벤처기업부 | SME1357 |
| 기타 | 국민권익위원회 | ACRC110 |

Other label sets: 세금/국세 → 국세청 NTS126; 고용/노동 → 고용노동부 MOEL1350; 복지 → 보건복지부 MOHW129;
건강보험 → 국민건강보험공단 NHIS; 연금 → 국민연금공단 NPS1355; 금융 → 금융감독원 FSS1332; 소비자 →
한국소비자원 KCA1372; 경찰/치안 → 경찰청 POLICE182; 관세 → 관세청 KCS125; 병역 → 병무청 MMA.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Agency:
    name: str  # the responsible ministry or agency
    center: str  # code of the Sori center that takes the case (sori/seed/centers.csv)


GENERAL = Agency("국민권익위원회", "ACRC110")

ROUTES: dict[str, Agency] = {
    "보건복지": Agency("보건복지부", "MOHW129"),
    "저출산/고령화대책": Agency("보건복지부", "MOHW129"),
    "일자리": Agency("고용노동부", "MOEL1350"),
    "경제민주화": Agency("고용노동부", "MOEL1350"),
    "육아/교육": Agency("교육부", "ACRC110"),
    "교통/건축/국토": Agency("국토교통부", "ACRC110"),
    "행정": Agency("행정안전부", "GOV24"),
    "정치개혁": Agency("행정안전부", "GOV24"),
    "안전/환경": Agency("환경부", "ME128"),
    "인권/성평등": Agency("여성가족부", "WOMEN1366"),
    "외교/통일/국방": Agency("국방부", "MMA"),
    "문화/예술/체육/언론": Agency("문화체육관광부", "KTO1330"),
    "반려동물": Agency("농림축산식품부", "ACRC110"),
    "농산어촌": Agency("농림축산식품부", "ACRC110"),
    "미래": Agency("과학기술정보통신부", "KISA118"),
    "성장동력": Agency("중소벤처기업부", "SME1357"),
    "기타": GENERAL,
    # other label sets (complaint and call categories)
    "세금": Agency("국세청", "NTS126"),
    "국세": Agency("국세청", "NTS126"),
    "고용": Agency("고용노동부", "MOEL1350"),
    "노동": Agency("고용노동부", "MOEL1350"),
    "복지": Agency("보건복지부", "MOHW129"),
    "건강보험": Agency("국민건강보험공단", "NHIS"),
    "연금": Agency("국민연금공단", "NPS1355"),
    "금융": Agency("금융감독원", "FSS1332"),
    "소비자": Agency("한국소비자원", "KCA1372"),
    "경찰": Agency("경찰청", "POLICE182"),
    "치안": Agency("경찰청", "POLICE182"),
    "관세": Agency("관세청", "KCS125"),
    "병역": Agency("병무청", "MMA"),
}


def agency_for(category: str) -> Agency:
    """The responsible agency of ``category``; the general 110 for a category the table does not know."""
    return ROUTES.get(category.strip(), GENERAL)
