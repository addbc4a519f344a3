"""PII masking: each kind in its written forms, the traps left alone, idempotence, offsets, and agreement with
the log scrubber; property tests feed numbers in random formats inside random Korean text."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.pii import KINDS, PLACEHOLDERS, MaskResult, PiiSpan, find_pii, mask
from crm.citizens.phone import PHONE_IN_TEXT
from crm.citizens.rrn import RRN_IN_TEXT

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in find_pii(text)]


# --- phone ------------------------------------------------------------------------------------------------

PHONES = [
    "010-1234-5678",
    "010 1234 5678",
    "010.1234.5678",
    "01012345678",
    "(010)1234-5678",
    "(010) 1234-5678",
    "010 - 1234 - 5678",
    "010-1234 5678",
    "011-123-4567",
    "016-1234-5678",
    "+82 10-1234-5678",
    "+82-10-1234-5678",
    "+821012345678",
    "+82 (0)10 1234 5678",
    "0082-10-1234-5678",
    "+82 2 1234 5678",
    "02-123-4567",
    "02-1234-5678",
    "02)2640-5057",
    "(02) 6744-4222",
    "02 312 4567",
    "031-940-5321",
    "0442013393",
    "(055 –640-4583",
    "064)712-3456",
    "070-1234-5678",
    "0505-123-4567",
    "0504-1234-5678",
    "0507-1234-5678",
    "010-****-5678",
    "010-1234-****",
    "０１０－１２３４－５６７８",
    "010ㅡ1234ㅡ5678",
    "Tel.010-1234-5678",
]


@pytest.mark.parametrize("number", PHONES)
def test_phone_forms_are_masked(number: str) -> None:
    text = f"연락처는 {number} 입니다."
    result = mask(text)
    assert result.counts == {"phone": 1}, found(text)
    assert "[전화번호]" in result.text
    assert not re.search(r"\d{3}", result.text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


@pytest.mark.parametrize(
    "text",
    ["전화 3146-1316 /전송 3146-1319", "☎ 940-5321", "팩스 6744-4225", "휴대폰: 1234-5678"],
)
def test_local_number_after_a_phone_word(text: str) -> None:
    assert [kind for _, kind in found(text)] == ["phone"] * text.count("-")


@pytest.mark.parametrize(
    "text",
    [
        "대표번호 1588-1234로 문의하세요.",
        "고객센터(1577-1000)",
        "큐넷: 1644-8000은",
        "1899-9595 (연결안됨)",
        "1600-1234",
        "수신자부담 080-123-4567",
        "정보이용료 060-700-1234",
        "정부민원안내콜센터 110, 다산콜센터 120",
        "전화 1588-4321",
    ],
)
def test_business_numbers_are_left_alone(text: str) -> None:
    assert mask(text).text == text


# --- 주민등록번호 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "900101-1234567",
        "9001011234567",
        "900101 - 2234567",
        "900101 1234567",
        "051231-3234567",
        "900101-5234567",
        "900101-1******",
        "571215-*******",
        "620918-********",
        "990913 – 1******",
        "900101-1xxxxxx",
        "９００１０１－１２３４５６７",
    ],
)
def test_resident_numbers_are_masked(number: str) -> None:
    result = mask(f"주민등록번호: {number} 입니다")
    assert result.counts == {"rrn": 1}
    assert result.text == "주민등록번호: [주민등록번호] 입니다"


@pytest.mark.parametrize(
    "text",
    ["2020-01-01", "20200101", "******-*******", "901301-1234567", "900132-1234567", "900101-9234567", "12,345,678원"],
)
def test_not_resident_numbers(text: str) -> None:
    assert not [kind for _, kind in found(text) if kind == "rrn"]


# --- e-mail, card, account --------------------------------------------------------------------------------


def test_email() -> None:
    assert mask("답변은 hong.gildong99@naver.com 으로 주세요.").text == "답변은 [이메일] 으로 주세요."
    assert mask("E-mail:hack5402@naver.com h p").text == "E-mail:[이메일] h p"


@pytest.mark.parametrize("text", ["*******@gmail.com", "m*******@naver.com", "2020*****@daum.net"])
def test_starred_email_is_left_alone(text: str) -> None:
    assert mask(text).text == text


@pytest.mark.parametrize(
    "number",
    [
        "4111-1111-1111-1111",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "3782-822463-10005",
        "9410-1234-5678-9010",
        "4111-****-****-1111",
    ],
)
def test_card_numbers(number: str) -> None:
    assert found(f"카드번호 {number}로 결제") == [(number, "card")]


def test_bare_card_number_needs_the_word_card() -> None:
    assert found("신용카드 4111111111111111 분실") == [("4111111111111111", "card")]
    assert found("주문번호 4111111111111111") == []


@pytest.mark.parametrize(
    "text", ["주문번호 1234-5678-9012-3450", "2011 2012 2013 2014 2015 2016", "2017-2018-2019-2020"]
)
def test_not_card_numbers(text: str) -> None:
    assert [kind for _, kind in found(text) if kind == "card"] == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("입금 계좌: 국민은행 123456-01-123456", "123456-01-123456"),
        ("신한은행 110-123-456789 로 송금", "110-123-456789"),
        ("우리은행 1002-123-456789", "1002-123-456789"),
        ("농협 302-1234-5678-91 (예금주 본인)", "302-1234-5678-91"),
        ("카카오뱅크 3333-01-1234567", "3333-01-1234567"),
        ("계좌번호 110123456789 로 환불", "110123456789"),
        ("새마을금고 9002-3254-8095-3", "9002-3254-8095-3"),
        ("123-456789-01-234 (기업은행)", "123-456789-01-234"),
    ],
)
def test_account_numbers_near_a_bank(text: str, number: str) -> None:
    assert found(text) == [(number, "account")]


@pytest.mark.parametrize(
    "text",
    [
        "계좌로 1,000,000원을 입금했습니다.",
        "2020-05-01 통장 입금",
        "사업자등록번호 203-82-00639",
        "사건번호 2026-ACRC110-1",
        "특허출원번호 10-2020-0023127",
        "등기번호 11204-0470-7556",
        "110-123-456789",
        "국민 세금 50조원, 2019-11-21",
        "민원 신청번호 1AA-1708-263827",
        "개인정보 보호법 제24조의2 제1항",
        "2020고단1234",
        "서울중앙지검 2020형제12345호",
    ],
)
def test_not_account_numbers(text: str) -> None:
    assert mask(text).text == text


# --- names ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("성명: 홍길동", "홍길동"),
        ("성명 :이 효 상 전화", "이 효 상"),
        ("[작성자] : 정혜경 [전화번호]", "정혜경"),
        ("청원 자: 장지영 H.P", "장지영"),
        ("신청인 김민준", "김민준"),
        ("피해자 김지은의 미투", "김지은"),
        ("담당 최홍석)로 문의", "최홍석"),
        ("홍길동 씨가 도와주셨습니다.", "홍길동"),
        ("김어준씨를 향해서는", "김어준"),
        ("김동현 님의 개인정보", "김동현"),
        ("이윤희 양이 실종되기 전날", "이윤희"),
        ("김민식 군 사고 이후", "김민식"),
        ("故 최숙현 선수", "최숙현"),
        ("故권대희군 사건", "권대희"),
        ("고(故) 백선엽 장군", "백선엽"),
        ("심학보 올림", "심학보"),
        ("채성헌 드림", "채성헌"),
        ("저는 김한구입니다.", "김한구"),
        ("제 이름은 박서연입니다.", "박서연"),
        ("예금주: 남궁민수", "남궁민수"),
        ("이 상 식 (인)", "이 상 식"),
        ("김 경 수 010-3720-7935", "김 경 수"),
        ("양세진(044-203-6422)", "양세진"),
        ("진윤아 님께 감사드립니다.", "진윤아"),
        ("민수 씨, 고맙습니다.", "민수"),
    ],
)
def test_names_after_markers(text: str, name: str) -> None:
    assert (name, "name") in found(text)
    assert name not in mask(text).text


@pytest.mark.parametrize(
    "text",
    [
        "존경하는 대통령님",
        "담임 선생님께서 말씀하셨습니다.",
        "국민여러분 도와주세요.",
        "장관님과 차관님께 호소합니다.",
        "국회의원님들은 응답해 주십시오.",
        "원장님이 사과하셨습니다.",
        "양가부모님이 반대",
        "고객님, 지급할 땐 호갱님",
        "위원장님의 결단",
        "문재인 대통령님 답변 바랍니다",
        "황대표님은 살면서",
        "충남 부여군 부여읍",
        "주한미군 철수",
        "많은 양의 서류",
        "엄청난양의 서류",
        "고위험군 청소년",
        "사실인 양 보도한",
        "하지만 군은 아직도",
        "여성이 군 복무를 하는 것은",
        "태극문양은 청색과",
        "이모씨가 증언했습니다.",
        "김** 씨와 이○○ 님",
        "피해자는 두려움에 떨고",
        "피해자 가족이",
        "담당 부서나 책임자와",
        "작성자 : 전국 600만명",
        "마음씨 좋은 아저씨",
        "주홍글씨로 낙인찍은",
        "주지스님이 발견해",
        "진주강씨 종중",
        "정부와 군은",
        "보호자인양 불순세력으로",
        "약식명령등본 담당 여직원",
        "명나라 군이 합세하여",
        "그 가해자 엄마란 분이",
        "고흥군 전 박군수님이",
        "정기자님 답변 주세요",
        "신청인 : 경기도 양주시",
    ],
)
def test_titles_and_words_are_not_names(text: str) -> None:
    assert mask(text).text == text


# --- addresses --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("서울시 강남구 역삼동 123-45번지", "서울시 강남구 역삼동 [상세주소]"),
        ("서울시 강남구 역삼동 래미안아파트 101동 202호", "서울시 강남구 역삼동 [상세주소]"),
        ("경기도 화성시 효행로 988-10, 301호(진안동)이고", "경기도 화성시 효행로 [상세주소]이고"),
        ("충남 부여군 부여읍 서동로99번길 21-1번지 1층", "충남 부여군 부여읍 서동로99번길 [상세주소]"),
        (
            "서울 종로구 삼일대로 30길 37(대은빌딩) 5층, 010-6383-9485",
            "서울 종로구 삼일대로 30길 [상세주소], [전화번호]",
        ),
        ("대구광역시 서구 평리로 164-1번지 (중리동) 일선빌딩3층 301호", "대구광역시 서구 평리로 [상세주소]"),
        ("서울특별시 중구 봉래동2가 122번지 일대", "서울특별시 중구 봉래동2가 [상세주소] 일대"),
        ("경기도 화성시 반송동 95번지, 97번지, 99번지 일대", "경기도 화성시 반송동 [상세주소] 일대"),
        ("우리 아파트 302동 1102호 계약자", "우리 아파트 [상세주소] 계약자"),
        ("(덕촌리 18번지 앞.)", "(덕촌리 [상세주소] 앞.)"),
    ],
)
def test_address_detail_is_masked_and_the_area_kept(text: str, masked: str) -> None:
    assert mask(text).text == masked


@pytest.mark.parametrize(
    "text",
    [
        "역시 그대로 3-4개 남았습니다.",
        "당시 전화로 3번 통화했습니다.",
        "서울 중랑구 묵동 2번째 청년임대주택",
        "화재시 소화수가 1층 바닥까지",
        "성북구 삼선동5지구 주택개발",
        "지구 온도가 1.5도를 넘기면",
        "1층 로비에서 기다렸습니다.",
        "경기도 안양시 XX로 000번길 00, 000동 000호",
        "3호선 연장",
        "국도 77호선",
        "서울시 강서구 방화동에 살고 있는 주민",
    ],
)
def test_not_addresses(text: str) -> None:
    assert [kind for _, kind in found(text) if kind == "address"] == []


# --- other traps ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://n.news.naver.com/article/055/0000783243 SBS 취재 결과",
        "https://m.news.naver.com/read.nhn?mode=LSD&oid=081&aid=0003083466",
        "http://www.newsis.com/view/?id=NISX20190425_0000632379&cID=10101&pID=10100",
        "2,798 4,156 0.67 2,990 192 2007년 1,950 88 425 304 41 24 2,620 4,013 0.65 3,063 444 2008년",
        "청원기간 20-01-28 ~ 20-02-27",
        "기사입력 2019-11-03 12:41:53",
        "[법률 제14839호, 2017. 7. 26, 타법개정]",
        "우 120-030 서울",
        "평당 1700-2100만원",
        "(1929-1951)",
        "0.0000000000",
        "생년월일 1990. 1. 1.",
    ],
)
def test_numbers_that_are_not_personal(text: str) -> None:
    assert mask(text).text == text


# --- the result -------------------------------------------------------------------------------------------


def test_offsets_refer_to_the_original_text_and_counts_match() -> None:
    text = "성명: 홍길동 연락처 ０１０－１２３４－５６７８ 주민번호 900101-1234567 hong@naver.com"
    result = mask(text)
    assert [(text[s.start : s.end], s.kind) for s in result.spans] == [
        ("홍길동", "name"),
        ("０１０－１２３４－５６７８", "phone"),
        ("900101-1234567", "rrn"),
        ("hong@naver.com", "email"),
    ]
    assert result.counts == {"name": 1, "phone": 1, "rrn": 1, "email": 1}
    assert result.text == "성명: [이름] 연락처 [전화번호] 주민번호 [주민등록번호] [이메일]"


@pytest.mark.parametrize(
    "text",
    [
        "010-1234-5678+82 10-1234-5678",
        "성명: 홍길동 이름: 김철수",
        "집 02-123-4567/010-9876-5432",
    ],
)
def test_numbers_glued_to_a_masked_neighbour_are_masked_in_one_go(text: str) -> None:
    once = mask(text).text
    assert mask(once).text == once
    assert not re.search(r"\d{4}", once)


def test_nothing_to_mask() -> None:
    assert mask("") == MaskResult(text="", spans=(), counts={})
    assert mask("민원 처리 기간을 알려 주세요.").counts == {}


def test_placeholders_cover_every_kind_and_are_fixed_points() -> None:
    assert set(PLACEHOLDERS) == set(KINDS)
    joined = " ".join(PLACEHOLDERS.values())
    assert mask(joined).text == joined


def test_spans_do_not_overlap_and_are_ordered() -> None:
    text = "신한은행 110-123-456789 예금주: 김철수 010-1234-5678 서울시 마포구 월드컵로 12, 101동 202호"
    spans = find_pii(text)
    assert spans == sorted(spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert {s.kind for s in spans} == {"account", "name", "phone", "address"}


# --- properties -------------------------------------------------------------------------------------------

WORDS = [
    "민원",
    "처리",
    "부탁드립니다",
    "대통령님",
    "선생님께",
    "서울시",
    "강남구",
    "역삼동",
    "계좌",
    "카드",
    "군",
    "양",
    "씨",
    "님",
    "홍길동",
    "성명:",
    "故",
    "올림",
    "(",
    ")",
    ",",
    ".",
    " ",
    "\n",
    "-",
    "1588-1234",
    "2020-05-01",
    "제24조",
    "12,000원",
]


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def phones(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["010", "011", "016", "02", "031", "051", "064", "070", "0505"]))
    middle = draw(st.sampled_from("123456789")) + draw(digits(draw(st.sampled_from([2, 3]))))
    last = draw(digits(4))
    sep = draw(st.sampled_from(["-", " ", ".", ""]))
    return prefix + sep + middle + sep + last


@st.composite
def resident_numbers(draw: st.DrawFn) -> str:
    year, month, day = draw(digits(2)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    separator, sex = draw(st.sampled_from(["-", "", " - "])), draw(st.sampled_from("12345678"))
    return f"{year}{month:02d}{day:02d}{separator}{sex}{draw(digits(6))}"


korean_text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@FAST
@given(
    st.lists(st.one_of(korean_text, phones(), resident_numbers(), st.sampled_from(PHONES)), max_size=8).map(" ".join)
)
def test_masking_is_idempotent(text: str) -> None:
    once = mask(text).text
    assert mask(once).text == once


@FAST
@given(korean_text, st.one_of(phones(), resident_numbers()), korean_text)
def test_masked_text_never_shows_the_number(before: str, number: str, after: str) -> None:
    text = f"{before} {number} {after}"
    masked = re.sub(r"\D", "", mask(text).text)
    assert re.sub(r"\D", "", number)[-7:] not in masked


@FAST
@given(korean_text, st.one_of(phones(), resident_numbers()), korean_text)
def test_everything_the_log_scrubber_hides_is_masked(before: str, number: str, after: str) -> None:
    text = f"{before} {number} {after}"
    spans = find_pii(text)
    for pattern in (PHONE_IN_TEXT, RRN_IN_TEXT):
        for match in pattern.finditer(text):
            assert any(s.start < match.end() and match.start() < s.end for s in spans), (text, match.group())


PIECES = st.sampled_from(
    [
        *"가나다김이박씨님군양동로길호번지-.() 0123456789:@*성명故올림[]+",
        "010",
        "+82 ",
        "서울시 ",
        "역삼동 ",
        "홍길동",
        "계좌 ",
    ]
)


@FAST
@given(st.lists(PIECES, max_size=40).map("".join))
def test_masking_fragments_is_idempotent(text: str) -> None:
    once = mask(text).text
    assert mask(once).text == once


@FAST
@given(st.text(max_size=300))
def test_any_text_gives_ordered_disjoint_spans_inside_the_text(text: str) -> None:
    spans = find_pii(text)
    assert all(isinstance(s, PiiSpan) and 0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert mask(mask(text).text).text == mask(text).text
