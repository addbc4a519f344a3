"""The demo citizens' records as the issuing agencies know them: fictional names and addresses for the demo
phone numbers 010-5000-0000 … 0039, some with e-mail, fax or a 전자문서지갑 on file, some without (pure)."""

from __future__ import annotations

from integrations.certificates.citizens import CitizenRecord
from integrations.demo_citizens import demo_citizens

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ("민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "현우", "다은", "길동", "소희")
_PLACES = (
    ("서울특별시 종로구 새문안로", "서울특별시 종로구"),
    ("부산광역시 해운대구 해운대해변로", "부산광역시 해운대구"),
    ("대전광역시 서구 둔산로", "충청남도 공주시"),
    ("광주광역시 북구 첨단과기로", "전라남도 나주시"),
    ("경기도 수원시 팔달구 효원로", "경기도 수원시"),
    ("강원특별자치도 춘천시 중앙로", "강원특별자치도 춘천시"),
    ("제주특별자치도 제주시 문연로", "제주특별자치도 제주시"),
)
_INSURANCE = ("직장가입자 (2019.03.01 취득)", "지역가입자 (2021.07.15 취득)", "피부양자 (2016.01.01 취득)")


def demo_citizen_records() -> list[CitizenRecord]:
    """One record per demo citizen; every one has a postal address (the IVR reissues by post)."""
    records = []
    for n, ref in enumerate(demo_citizens()):
        name = _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)]
        year = 1950 + (n * 13) % 55
        sex = (1 if n % 2 == 0 else 2) + (2 if year >= 2000 else 0)
        street, base = _PLACES[n % len(_PLACES)]
        records.append(
            CitizenRecord(
                ref=ref,
                name=name,
                masked_rrn=f"{year % 100:02d}{1 + n % 12:02d}{1 + (n * 3) % 28:02d}-{sex}******",
                address=f"{street} {10 + n * 3}, {100 + n}동 {1001 + n * 11}호",
                email=f"citizen{n:02d}@example.kr" if n % 3 == 0 else None,
                fax=f"02-{3000 + n:04d}-{5000 + n * 7:04d}" if n % 5 == 0 else None,
                wallet=n % 2 == 0,
                registration_base=f"{base} (가상 주소 {n + 1}번지)",
                household_head=name if n % 4 != 1 else "세대원 (세대주 별도)",
                insurance=_INSURANCE[n % len(_INSURANCE)],
                tax_status="체납액 없음" if n % 7 != 6 else "체납액 있음 (분납 중)",
                business=f"개인사업자 {100 + n}-{10 + n % 90:02d}-{10000 + n * 37:05d}" if n % 6 == 0 else None,
            )
        )
    return records
