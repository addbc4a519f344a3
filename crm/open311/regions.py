"""The 시·도 (province-level region) of an address or a point, for routing local services to their center.

``region_of_address`` reads the first province name (or alias, or a well-known city) in the address text.
``region_of_point`` takes the nearest of ~90 city-hall and county-seat points: it is coarse near borders
(a point just across a 시·도 line may land on the neighbour), so the address wins when both are given, and a
wrongly routed complaint is handed off by the agent who receives it. Canonical names are those of the
``region`` column of ``sori/seed/centers.csv``.
"""

from __future__ import annotations

import math
import re

SEOUL, BUSAN, DAEGU, INCHEON = "서울특별시", "부산광역시", "대구광역시", "인천광역시"
GWANGJU, DAEJEON, ULSAN, SEJONG = "광주광역시", "대전광역시", "울산광역시", "세종특별자치시"
GYEONGGI, GANGWON, CHUNGBUK, CHUNGNAM = "경기도", "강원특별자치도", "충청북도", "충청남도"
JEONBUK, JEONNAM, GYEONGBUK, GYEONGNAM, JEJU = "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도"

# canonical → aliases (the canonical name included); "광주시" is left out: it is also 경기도 광주시.
ALIASES: dict[str, tuple[str, ...]] = {
    SEOUL: ("서울", "서울시", "서울특별시"),
    BUSAN: ("부산", "부산시", "부산광역시"),
    DAEGU: ("대구", "대구시", "대구광역시"),
    INCHEON: ("인천", "인천시", "인천광역시"),
    GWANGJU: ("광주", "광주광역시"),
    DAEJEON: ("대전", "대전시", "대전광역시"),
    ULSAN: ("울산", "울산시", "울산광역시"),
    SEJONG: ("세종", "세종시", "세종특별자치시"),
    GYEONGGI: ("경기", "경기도"),
    GANGWON: ("강원", "강원도", "강원특별자치도"),
    CHUNGBUK: ("충북", "충청북도"),
    CHUNGNAM: ("충남", "충청남도"),
    JEONBUK: ("전북", "전라북도", "전북특별자치도"),
    JEONNAM: ("전남", "전라남도"),
    GYEONGBUK: ("경북", "경상북도"),
    GYEONGNAM: ("경남", "경상남도"),
    JEJU: ("제주", "제주도", "제주특별자치도"),
}
REGIONS: tuple[str, ...] = tuple(ALIASES)

# Lat/long of Korea's service box: a point outside it is refused.
LAT_RANGE = (33.0, 38.7)
LONG_RANGE = (124.5, 132.0)

# (name, region, lat, long): city halls and county seats, a few per 시·도 and more where they are large.
POINTS: tuple[tuple[str, str, float, float], ...] = (
    ("서울시청", SEOUL, 37.5665, 126.9780), ("강남구", SEOUL, 37.5172, 127.0473),
    ("노원구", SEOUL, 37.6542, 127.0568), ("강서구", SEOUL, 37.5509, 126.8495),
    ("부산시청", BUSAN, 35.1796, 129.0756), ("해운대구", BUSAN, 35.1631, 129.1635),
    ("기장군", BUSAN, 35.2446, 129.2222), ("대구시청", DAEGU, 35.8714, 128.6014),
    ("달성군", DAEGU, 35.7746, 128.4314), ("인천시청", INCHEON, 37.4563, 126.7052),
    ("강화군", INCHEON, 37.7469, 126.4879), ("영종도", INCHEON, 37.4738, 126.5216),
    ("광주시청", GWANGJU, 35.1595, 126.8526), ("대전시청", DAEJEON, 36.3504, 127.3845),
    ("울산시청", ULSAN, 35.5384, 129.3114), ("울주군", ULSAN, 35.5622, 129.2428),
    ("세종시청", SEJONG, 36.4800, 127.2890),
    ("수원시", GYEONGGI, 37.2636, 127.0286), ("성남시", GYEONGGI, 37.4200, 127.1267),
    ("고양시", GYEONGGI, 37.6584, 126.8320), ("용인시", GYEONGGI, 37.2411, 127.1776),
    ("화성시", GYEONGGI, 37.1995, 126.8312), ("평택시", GYEONGGI, 36.9921, 127.1129),
    ("파주시", GYEONGGI, 37.7600, 126.7800), ("의정부시", GYEONGGI, 37.7381, 127.0337),
    ("남양주시", GYEONGGI, 37.6360, 127.2165), ("이천시", GYEONGGI, 37.2720, 127.4350),
    ("포천시", GYEONGGI, 37.8949, 127.2003), ("가평군", GYEONGGI, 37.8315, 127.5105),
    ("안산시", GYEONGGI, 37.3219, 126.8309), ("여주시", GYEONGGI, 37.2983, 127.6370),
    ("연천군", GYEONGGI, 38.0966, 127.0748), ("양평군", GYEONGGI, 37.4917, 127.4875),
    ("춘천시", GANGWON, 37.8813, 127.7298), ("원주시", GANGWON, 37.3422, 127.9202),
    ("강릉시", GANGWON, 37.7519, 128.8761), ("속초시", GANGWON, 38.2070, 128.5918),
    ("동해시", GANGWON, 37.5247, 129.1143), ("삼척시", GANGWON, 37.4499, 129.1652),
    ("태백시", GANGWON, 37.1641, 128.9856), ("철원군", GANGWON, 38.1467, 127.3133),
    ("홍천군", GANGWON, 37.6970, 127.8887), ("영월군", GANGWON, 37.1837, 128.4617),
    ("청주시", CHUNGBUK, 36.6424, 127.4890), ("충주시", CHUNGBUK, 36.9910, 127.9260),
    ("제천시", CHUNGBUK, 37.1326, 128.1910), ("영동군", CHUNGBUK, 36.1750, 127.7764),
    ("보은군", CHUNGBUK, 36.4894, 127.7295),
    ("천안시", CHUNGNAM, 36.8151, 127.1139), ("아산시", CHUNGNAM, 36.7898, 127.0018),
    ("서산시", CHUNGNAM, 36.7845, 126.4503), ("공주시", CHUNGNAM, 36.4465, 127.1190),
    ("논산시", CHUNGNAM, 36.1871, 127.0987), ("보령시", CHUNGNAM, 36.3333, 126.6128),
    ("홍성군", CHUNGNAM, 36.6012, 126.6608), ("당진시", CHUNGNAM, 36.8898, 126.6459),
    ("태안군", CHUNGNAM, 36.7456, 126.2979), ("금산군", CHUNGNAM, 36.1089, 127.4881),
    ("전주시", JEONBUK, 35.8242, 127.1480), ("군산시", JEONBUK, 35.9676, 126.7366),
    ("익산시", JEONBUK, 35.9483, 126.9576), ("남원시", JEONBUK, 35.4164, 127.3904),
    ("정읍시", JEONBUK, 35.5699, 126.8559), ("무주군", JEONBUK, 36.0070, 127.6608),
    ("고창군", JEONBUK, 35.4358, 126.7020),
    ("무안군", JEONNAM, 34.8161, 126.4629), ("목포시", JEONNAM, 34.8118, 126.3922),
    ("여수시", JEONNAM, 34.7604, 127.6622), ("순천시", JEONNAM, 34.9506, 127.4872),
    ("나주시", JEONNAM, 35.0160, 126.7108), ("해남군", JEONNAM, 34.5733, 126.5992),
    ("완도군", JEONNAM, 34.3110, 126.7550), ("광양시", JEONNAM, 34.9407, 127.6959),
    ("영광군", JEONNAM, 35.2772, 126.5120),
    ("안동시", GYEONGBUK, 36.5684, 128.7294), ("포항시", GYEONGBUK, 36.0190, 129.3435),
    ("경주시", GYEONGBUK, 35.8562, 129.2247), ("구미시", GYEONGBUK, 36.1195, 128.3446),
    ("김천시", GYEONGBUK, 36.1398, 128.1136), ("영주시", GYEONGBUK, 36.8057, 128.6241),
    ("상주시", GYEONGBUK, 36.4109, 128.1590), ("울진군", GYEONGBUK, 36.9930, 129.4004),
    ("영덕군", GYEONGBUK, 36.4150, 129.3654), ("울릉군", GYEONGBUK, 37.4844, 130.9057),
    ("문경시", GYEONGBUK, 36.5865, 128.1867),
    ("창원시", GYEONGNAM, 35.2280, 128.6811), ("진주시", GYEONGNAM, 35.1800, 128.1076),
    ("김해시", GYEONGNAM, 35.2285, 128.8894), ("양산시", GYEONGNAM, 35.3350, 129.0373),
    ("거제시", GYEONGNAM, 34.8806, 128.6211), ("통영시", GYEONGNAM, 34.8544, 128.4331),
    ("밀양시", GYEONGNAM, 35.5038, 128.7467), ("거창군", GYEONGNAM, 35.6867, 127.9095),
    ("남해군", GYEONGNAM, 34.8377, 127.8924), ("합천군", GYEONGNAM, 35.5666, 128.1658),
    ("제주시", JEJU, 33.4996, 126.5312), ("서귀포시", JEJU, 33.2541, 126.5601),
)  # fmt: skip

_BY_ALIAS = {alias: region for region, aliases in ALIASES.items() for alias in aliases}
# unambiguous city and county names of the points (시/군 only; 구 names repeat across cities)
_BY_CITY = {name: region for name, region, _, _ in POINTS if name.endswith(("시", "군"))}
_TOKEN = re.compile(r"[^\s,()·/]+")


def region_of_address(text: str | None) -> str | None:
    """The canonical 시·도 named first in ``text`` (a province, its alias, or a known city), else None."""
    if not text:
        return None
    tokens = _TOKEN.findall(text)
    for token in tokens:
        if token in _BY_ALIAS:
            return _BY_ALIAS[token]
        for alias in sorted(_BY_ALIAS, key=len, reverse=True):  # "서울특별시중구…" written without a space
            if len(alias) >= 3 and token.startswith(alias):
                return _BY_ALIAS[alias]
    for token in tokens:
        if token in _BY_CITY:
            return _BY_CITY[token]
    return None


def in_service_area(lat: float, long: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LONG_RANGE[0] <= long <= LONG_RANGE[1]


def region_of_point(lat: float, long: float) -> str | None:
    """The 시·도 of the nearest known point (coarse near borders); None outside the service box."""
    if not in_service_area(lat, long):
        return None
    scale = math.cos(math.radians(lat))  # a degree of longitude is shorter than one of latitude
    nearest = min(POINTS, key=lambda p: (p[2] - lat) ** 2 + ((p[3] - long) * scale) ** 2)
    return nearest[1]
