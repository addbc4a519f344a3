"""PII masking of citizen-written Korean text before anything is indexed, classified or shown.

``find_pii`` returns the spans of personal data; ``mask`` replaces each with a Korean tag. Pure: no I/O.

One scheme for every kind — a readable tag, so masked text still reads as Korean and tokenises the same
way everywhere (the tag is the token):

- ``[전화번호]`` phone: 010/011/016-019 mobiles, 02 and 031…064 landlines, 070, 050x 안심번호, +82/0082 forms,
  with spaces, dots, dashes or parentheses; a middle or last group may already be starred (010-****-5678).
  A number without its area code (3146-1316) only right after 전화/연락처/☎/HP/팩스.
- ``[주민등록번호]`` rrn: YYMMDD-[1-8]NNNNNN with or without dash or spaces (the date must be a date), and
  partly starred ones that still show the birth date (900101-1******, 571215-*******).
- ``[이메일]`` email: local@domain.tld; an address whose local part is starred is left alone.
- ``[카드번호]`` card: 13-19 digits in groups (4-4-4-4, 4-6-5) that pass Luhn; a bare run only after
  카드/card; 1234-****-****-5678.
- ``[계좌번호]`` account: 10-14 digits in dash groups or a bare run within a few characters of a bank name or
  계좌/입금/송금/이체/예금주/통장 — and not a date, 사업자/사건/접수/신청/특허/등기번호.
- ``[이름]`` name: 2-4 syllables led by a surname (제갈/남궁/황보… included) after 성명/이름/작성자/신청인/
  피해자/담당자 … (``성명 : 홍길동``, ``성명 :이 효 상``, ``피해자 김지은의``), after 故, before 씨/님/군/양,
  before 올림/드림/배상/(인), in ``저는 홍길동입니다``, and next to a phone number (signature blocks).
  A role before 님 (대통령님, 선생님, 장관님, 국회의원님, 황대표님) and words such as 부여군, 주한미군,
  고위험군, 사실인 양 are not names; a 2-syllable word before 님 (a given name alone) is never taken.
- ``[상세주소]`` address: what follows the 동/리/가/로/길 of an address that starts with a 시/도, city, 군 or
  구 — 번지, building numbers (123-45), building names, 101동 202호, 층 — so ``서울시 강남구 역삼동
  123-45번지`` becomes ``서울시 강남구 역삼동 [상세주소]``; also any ``101동 202호`` and ``…동 123-4번지``.

Left alone on purpose: 15xx/16xx/18xx representative numbers (1588-1234), 080 free-phone and 060 numbers —
they belong to businesses and agencies, and citizens quote them to say whom they called; dates, amounts, case
and application numbers (2026-ACRC110-1, 1AA-1708-263827), law articles (제24조의2), digits inside URLs.

``sori.logs.scrub`` keeps a phone's prefix and last four digits (010-****-5678) so operators can correlate
log lines; analytics needs neither, and the last four digits next to a name re-identify a caller, so here
the whole number becomes the tag. Whatever the log scrubber masks in ordinary text is masked here too.

Idempotent: tags hold no digits and no name or address shape, so masking masked text changes nothing.
Full-width digits (０-９) and dashes (－, –, ㅡ) count as ASCII; offsets refer to the text as given.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

PiiKind = Literal["phone", "rrn", "email", "card", "account", "name", "address"]
KINDS: tuple[PiiKind, ...] = ("phone", "rrn", "email", "card", "account", "name", "address")
PLACEHOLDERS: dict[PiiKind, str] = {
    "phone": "[전화번호]",
    "rrn": "[주민등록번호]",
    "email": "[이메일]",
    "card": "[카드번호]",
    "account": "[계좌번호]",
    "name": "[이름]",
    "address": "[상세주소]",
}
# Overlapping candidates: the more specific kind wins (an RRN is never re-read as an account).
_PRIORITY: dict[PiiKind, int] = {"email": 0, "rrn": 1, "card": 2, "phone": 3, "account": 4, "address": 5, "name": 6}
# Searches of the masked text after the first (a second one almost never finds anything).
_MAX_PASSES = 4


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


@dataclass(frozen=True, order=True)
class PiiSpan:
    """``text[start:end]`` is personal data of ``kind``."""

    start: int
    end: int
    kind: PiiKind


@dataclass(frozen=True)
class MaskResult:
    """The masked text, what was replaced (offsets into the original text) and how many of each kind."""

    text: str
    spans: tuple[PiiSpan, ...] = ()
    counts: dict[PiiKind, int] = field(default_factory=dict)


# Same-length normalisation: full-width digits and punctuation read as ASCII, so offsets stay valid.
_NARROW = dict(zip("０１２３４５６７８９－＋（）．＠‐‑‒–—−ㅡ", "0123456789-+().@-------", strict=True))
_WIDE = re.compile("[" + re.escape("".join(_NARROW)) + "]")

_DIGIT = re.compile(r"\d")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'가-힣]+|[A-Za-z0-9.-]+\.(?:com|net|kr|org)/[^\s<>\"'가-힣]*")

# --- phone -----------------------------------------------------------------------------------------------
_PREFIX = r"(?:10|1[16789]|2|[3-6][1-5]|70|50[2-8]?)"
_SEP = r"(?:[ \t]{0,2}[-.)][ \t]{0,2}|[ \t]{1,2})?"
_PHONE = re.compile(
    r"(?<![0-9,=&?_%+-])(?<![0-9]\.)"
    rf"(?:(?:\((?:\+|00)82\)|(?:\+|00)82\)?)[ \t-]?(?:\(0\)[ \t-]?|0)?{_PREFIX}|\(0{_PREFIX}\)|0{_PREFIX}\)?)"
    rf"{_SEP}(?:\d{{3,4}}{_SEP}[\d*]{{4}}|\*{{3,4}}{_SEP}\d{{4}})"
    r"(?![0-9*]|-\d|\.\d)"
)
# A local number without its area code, only where the text says it is a phone number.
_PHONE_LOCAL = re.compile(
    r"(?:전화(?:번호)?|연락처|휴대폰|핸드폰|휴대전화|H\.?P|[Tt]el|TEL|☎|☏|전송|팩스|FAX|[Ff]ax)"
    r"[\s.:：)]{0,3}"
    r"(?<![0-9])(?P<num>(?!1[5-9]\d\d)\d{3,4}[-. ]\d{4})(?![0-9]|-\d)"
)

# --- 주민등록번호 -----------------------------------------------------------------------------------------
_RRN = re.compile(
    r"(?<![0-9A-Za-z*-])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"[ \t]?-?[ \t]?(?:[1-8][\d*xX●○]{6}|[*xX●○]{7,8})(?![0-9*xX●○])"
)

# --- e-mail ----------------------------------------------------------------------------------------------
# Possessive: a long run of dots and letters without a domain must not be retried at every split.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?=[._%+-]*[A-Za-z0-9])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]+)+"
)

# --- card ------------------------------------------------------------------------------------------------
_CARD_GROUPED = re.compile(
    r"(?<![0-9-])(?:\d{4}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{3,7}|\d{4}(?P<t>[ -])\d{6}(?P=t)\d{4,5}"
    r"|\d{4}-\*{4}-\*{4}-\d{4})(?![0-9]|-\d)"
)
_CARD_BARE = re.compile(r"(?:카드|[Cc]ard|CARD)[^0-9\n]{0,15}(?<![0-9])(?P<num>\d{13,19})(?![0-9])")
_YEAR = re.compile(r"(?:19|20)\d\d")

# --- bank account ----------------------------------------------------------------------------------------
_BANK = re.compile(
    r"계좌|입금|송금|이체|예금주|통장|은행|뱅크|농협|수협|신협|새마을금고|우체국"
    r"|[Aa]ccount|KB|NH|IBK|SC제일|씨티|토스"
    r"|(?:국민|신한|우리|하나|기업|산업|부산|대구|경남|광주|전북|제주|카카오|케이)"
    r"(?=\s?(?:은행|뱅크|\d|\(|:))"
)
_ACCOUNT = re.compile(r"(?<![0-9A-Za-z-])(?:\d{2,6}(?:-\d{2,7}){1,2}(?:-\d{1,7})?|\d{10,14})(?![0-9A-Za-z]|-\d)")
_NOT_ACCOUNT = re.compile(r"(?:사업자(?:등록)?|법인(?:등록)?|특허|출원|등기|송장|운송장|사건|접수|신청)\s?번호")
_DATE = re.compile(r"(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])")


def find_pii(text: str) -> list[PiiSpan]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order.

    A number glued to another (``…5678+82 10-…``) only stands out once its neighbour is a tag, so the text is
    searched again with what was found masked, until nothing new turns up: masking masked text changes nothing.
    """
    spans = _find_once(text)
    for _ in range(_MAX_PASSES if spans else 0):
        view, segments = _masked_view(text, spans)
        extra = [_to_original(span, segments) for span in _find_once(view)]
        found = [span for span in extra if span is not None]
        if not found:
            break
        spans = sorted([*spans, *found])
    return spans


def mask(text: str) -> MaskResult:
    """``text`` with every span of ``find_pii`` replaced by its placeholder, and the counts by kind."""
    spans = find_pii(text)
    masked, _ = _masked_view(text, spans)
    counts = Counter(span.kind for span in spans)
    return MaskResult(text=masked, spans=tuple(spans), counts=dict(counts))


def _masked_view(text: str, spans: Sequence[PiiSpan]) -> tuple[str, list[tuple[int, int, int]]]:
    """The masked text and its unmasked segments as (start in the masked text, start in ``text``, length)."""
    parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    position = length = 0
    for span in spans:
        gap, tag = text[position : span.start], PLACEHOLDERS[span.kind]
        segments.append((length, position, len(gap)))
        parts += [gap, tag]
        length += len(gap) + len(tag)
        position = span.end
    segments.append((length, position, len(text) - position))
    parts.append(text[position:])
    return "".join(parts), segments


def _to_original(span: PiiSpan, segments: Sequence[tuple[int, int, int]]) -> PiiSpan | None:
    for masked_start, original_start, length in segments:
        if masked_start <= span.start and span.end <= masked_start + length:
            shift = original_start - masked_start
            return PiiSpan(span.start + shift, span.end + shift, span.kind)
    return None  # a span across a tag cannot be mapped back (and the patterns never produce one)


def _find_once(text: str) -> list[PiiSpan]:
    norm = _WIDE.sub(lambda m: _NARROW[m.group()], text)
    candidates = list(_names(norm))
    if _DIGIT.search(norm):  # every kind but e-mail and name has digits
        candidates += [*_numbers(norm), *_addresses(norm)]
    if "@" in norm:
        candidates += _emails(norm)
    urls = [m.span() for m in _URL.finditer(norm)] if candidates else []
    chosen: list[PiiSpan] = []  # kept sorted by start; never overlapping
    for span in sorted(candidates, key=lambda s: (_PRIORITY[s.kind], s.start, -s.end)):
        if span.kind not in ("email", "name") and _overlaps(span, urls):
            continue  # article ids and query strings
        index = bisect.bisect(chosen, span)
        if (index == 0 or chosen[index - 1].end <= span.start) and (
            index == len(chosen) or span.end <= chosen[index].start
        ):
            chosen.insert(index, span)
    return chosen


def _overlaps(span: PiiSpan, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start < span.end and span.start < end for start, end in ranges)


def _emails(text: str) -> Iterator[PiiSpan]:
    for match in _EMAIL.finditer(text):
        yield PiiSpan(match.start(), match.end(), "email")


def _numbers(text: str) -> Iterator[PiiSpan]:
    for match in _RRN.finditer(text):
        yield PiiSpan(match.start(), match.end(), "rrn")
    for match in _CARD_GROUPED.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        groups = re.split(r"[ -]", match.group())
        if "*" in match.group() or (_luhn(digits) and not all(_YEAR.fullmatch(g) for g in groups)):
            yield PiiSpan(match.start(), match.end(), "card")
    for match in _CARD_BARE.finditer(text):
        if _luhn(match["num"]):
            yield PiiSpan(match.start("num"), match.end("num"), "card")
    for match in _PHONE.finditer(text):
        yield PiiSpan(match.start(), match.end(), "phone")
    for match in _PHONE_LOCAL.finditer(text):
        yield PiiSpan(match.start("num"), match.end("num"), "phone")
    for match in _ACCOUNT.finditer(text):
        if _is_account(text, match):
            yield PiiSpan(match.start(), match.end(), "account")


def _luhn(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or digits[0] not in "2345689":
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_account(text: str, match: re.Match[str]) -> bool:
    number = match.group()
    digits = number.replace("-", "")
    if not 10 <= len(digits) <= 14 or _DATE.match(number):
        return False
    before = text[max(0, match.start() - 25) : match.start()]
    after = text[match.end() : match.end() + 12]
    if _NOT_ACCOUNT.search(before[-12:]):
        return False
    return bool(_BANK.search(before) or _BANK.search(after))


# --- detailed address ------------------------------------------------------------------------------------
_SIDO = (
    "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
    "|충청[남북]|전라[남북]|경상[남북]"
)
_CITIES = _words(
    "수원 성남 고양 용인 부천 안산 안양 남양주 화성 평택 의정부 시흥 파주 김포 광명 군포 하남",
    "오산 이천 안성 의왕 양주 구리 포천 동두천 과천 여주 춘천 원주 강릉 동해 태백 속초 삼척",
    "청주 충주 제천 천안 공주 보령 아산 서산 논산 계룡 당진 전주 군산 익산 정읍 남원 김제 목포",
    "여수 순천 나주 광양 포항 경주 김천 안동 구미 영주 영천 상주 문경 경산 창원 진주 통영 사천",
    "김해 밀양 거제 양산 서귀포 마산 진해",
)
_COUNTIES = _words(
    "가평 양평 연천 홍천 횡성 영월 평창 정선 철원 화천 양구 인제 고성 양양 증평 진천 괴산 음성",
    "단양 보은 옥천 영동 금산 부여 서천 청양 홍성 예산 태안 완주 진안 무주 장수 임실 순창 고창",
    "부안 담양 곡성 구례 고흥 보성 화순 장흥 강진 해남 영암 무안 함평 영광 장성 완도 진도 신안",
    "군위 의성 청송 영양 영덕 청도 고령 성주 칠곡 예천 봉화 울진 울릉 의령 함안 창녕 남해 하동",
    "산청 함양 거창 합천 기장 달성 울주 강화 옹진 삼척 거제",
)
# Words ending in 구 that are not districts (연구, 요구 …): a district token must not be one of them.
_NOT_DISTRICTS = _words(
    "연구 요구 친구 도구 입구 출구 인구 가구 추구 기구 창구 지구 항구 탐구 욕구 완구 전구 축구 야구 농구"
)
_REGION = rf"(?:(?:{_SIDO})(?:특별시|광역시|특별자치시|특별자치도|도|시)?|[가-힣]{{1,6}}(?:시|군|구|읍|면))"
_LOCAL = r"(?:[가-힣]{1,10}(?:\d{1,4}번?[ ]?)?(?:동|리|로|길)|[가-힣]{1,10}\d{1,3}가|\d{1,4}번?[ ]?길)"
_NUM = (
    r"(?:산[ ]?)?\d{1,5}+(?:[ ]?[-~][ ]?\d{1,5}+){0,2}(?:[ ]?(?:번지|호|층)|[ ]?번(?![가-힣]))?"
    r"(?:,[ ]?\d{1,5}(?:-\d{1,5})?[ ]?번지)*"  # 95번지, 97번지, 99번지
)
_PAREN = r"(?:[ ]?\([가-힣A-Za-z0-9,. ]{1,20}\))"
_UNIT = r"(?:(?:,[ ]?|[ ])(?:[가-힣A-Za-z]{2,15}[ ]?)?(?:\d{1,4}[ ]?동[ ]?)?\d{1,5}[ ]?(?:호|층))"
# A number directly followed by a counter (3개, 70~80점, 1.5도) is not a building number.
_COUNTER = (
    r"(?![0-9]|\.\d|[ ]?번?길|[ ]?번째|(?:가(?![가-힣])|개|명|원|년|월|일|시|분|초|회|차|건|세|살|위|등"
    r"|%|평|㎡|배|만|억|천|대|곳|가지|주|장|권|쪽|조|항|점|도|불|여|지구|구역|단지|블[록럭]|필지|미터|km|kg))"
)
_APARTMENT = r"(?:[가-힣A-Za-z0-9]{2,20}[ ]?)?\d{1,4}[ ]?동[ ]?\d{1,5}[ ]?호"
_DETAIL = rf"(?>{_APARTMENT}|{_NUM}{_PAREN}?{_UNIT}*{_PAREN}?){_COUNTER}"
_ADDRESS = re.compile(
    rf"(?<![가-힣])(?P<region>(?:{_REGION}[ ]+){{1,4}})(?P<local>(?:{_LOCAL}[ ]?){{1,3}})(?P<detail>{_DETAIL})"
)
_APARTMENT_UNIT = re.compile(r"(?<![0-9])\d{1,4}[ ]?동[ ]?\d{1,5}[ ]?호(?![0-9])")
_LOT = re.compile(
    r"(?<![가-힣])[가-힣]{1,8}(?:\d{0,2}[동리]|\d{1,2}가)[ ]?"
    r"(?P<detail>(?:산[ ]?)?\d{1,5}(?:-\d{1,5})?[ ]?번지(?:,[ ]?\d{1,5}(?:-\d{1,5})?[ ]?번지)*)"
)
_PLACE_SUFFIX = re.compile(r"(?:특별자치시|특별자치도|특별시|광역시|도|시)$")


def _is_place(token: str) -> bool:
    """A token that names a 시/도, a city, a county or a district (not 역시, 당시, 연구 …)."""
    stem = _PLACE_SUFFIX.sub("", token)
    if re.fullmatch(_SIDO, stem) or (stem in _CITIES and token != stem):
        return True
    if token.endswith("군"):
        return token[:-1] in _COUNTIES
    return token.endswith("구") and len(token) >= 2 and token not in _NOT_DISTRICTS


def _addresses(text: str) -> Iterator[PiiSpan]:
    spans = [m.span("detail") for m in _ADDRESS.finditer(text) if any(map(_is_place, m["region"].split()))]
    spans += [m.span() for m in _APARTMENT_UNIT.finditer(text)]
    spans += [m.span("detail") for m in _LOT.finditer(text)]
    for start, end in spans:
        if set(re.sub(r"\D", "", text[start:end])) != {"0"}:  # 000동 000호: a template, not an address
            yield PiiSpan(start, end, "address")


# --- names -----------------------------------------------------------------------------------------------
_SURNAMES_2 = ("제갈", "남궁", "황보", "선우", "독고", "사공", "서문", "동방")
_SURNAMES_1 = frozenset(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천"
    "방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감라"
)
_MARKERS = (
    r"성명|이름|성함|작성자|신청인|청원인|청원 ?자|민원인|피해자|가해자|피의자|피고소인|고소인|피고발인"
    r"|고발인|피진정인|진정인|신고인|신고자|제보자|보호자|대리인|담당자|담당|예금주|수신인|수령인|수취인"
    r"|상담원|망인|고인|원고|피고|증인|참고인|의뢰인|세입자|임차인|임대인|계약자|명의자|대표자|대표"
    r"|희생자|사망자|실종자"
)
_MARKER_WORDS = frozenset(_MARKERS.replace(" ?", "").split("|"))
# Without a colon, only markers that are usually followed by the person's name (피해자 김지은, 담당자 송용석).
_STRONG_MARKERS = _words(
    "피해자 가해자 피의자 고소인 피고소인 고발인 피고발인 진정인 피진정인 신고인 신고자 제보자 담당자",
    "담당 대표 대표자 증인 희생자 사망자 실종자 신청인 청원인 청원자 민원인 작성자 예금주 수령인 수취인",
    "상담원 망인 고인 이름은 성명은 성함은",
)
_MARKER = re.compile(
    rf"(?:(?<![가-힣])(?P<word>{_MARKERS}|(?:이름|성명|성함)(?:은|는))\]?(?P<sep>[ \t]*[:：=][ \t]*|[ \t]+)"
    r"|(?P<late>故[ \t]?|고\(故\)[ \t]?))(?=[가-힣])"
)
_SPACED = re.compile(r"[가-힣](?: [가-힣]){1,2}(?![가-힣])")
_HANGUL_RUN = re.compile(r"[가-힣]+")
_AFTER_NAME = re.compile(
    r"(?:씨|님|군|양)?(?:께서는|께서|에게는|에게|이라는|이라고|이라|이란|이나|라는|라고|입니다|이며|이고|이다"
    r"|이었|였|이랑|하고|처럼|으로|[은는이가을를의께와과도만외등측에로나])?"
)
_TITLED = re.compile(r"(?<![가-힣])(?P<name>[가-힣]{2,4})(?P<gap> ?)(?P<title>씨|님|군|양)(?P<rest>[가-힣]*)")
_SIGNED = re.compile(
    r"(?<![가-힣])(?P<name>[가-힣]{3,4}|[가-힣] [가-힣] [가-힣]) ?(?:올림|드림|배상|\(인\))(?![가-힣])"
)
# A name written right next to a phone number (signature blocks: 김 경 수 010-…, 양세진(044-…), 010 … 전근수).
# Before the number a 3-4 syllable or spaced name; after it only a spaced one (a sentence usually follows).
_NAME_BEFORE_PHONE = re.compile(r"(?<![가-힣])(?P<name>[가-힣]{3,4}|[가-힣] [가-힣] [가-힣])[ \t]*[(:：]?[ \t]*$")
_NAME_AFTER_PHONE = re.compile(r"[ \t]*\)?[ \t]+(?P<name>[가-힣] [가-힣] [가-힣])(?![가-힣])")
_SELF = re.compile(r"(?:저는|제 이름은) (?P<name>[가-힣]{3,4}?)(?:입니다|이고|이며|이라고|라고|이에요|예요)")
# A role before 님 is not a name: any candidate ending in one of these is refused.
_ROLE_ENDINGS = (
    "대통령", "의원", "위원", "연구원", "공무원", "주무관", "상담원", "조사원", "선생", "교수", "장관",
    "차관", "총리", "대표", "후보", "기자", "군수", "직원", "가족", "장", "관", "사", "생", "님", "모", "객",
    "령", "들", "분",
    "께", "부",
)  # fmt: skip
# Compounds ending in 군/양/씨/님 that are places, armies or common words (주한미군, 주택분양, 글씨, 스님).
_TITLE_COMPOUNDS = (
    "미군", "국군", "아군", "적군", "공군", "육군", "해군", "반군", "장군", "대군", "강군", "연합군", "정부군",
    "위험군", "환자군", "대상군", "집단군", "학군", "직군", "병군", "당군", "산군", "서양", "동양", "해양",
    "태평양", "대서양", "인도양", "영양", "요양", "휴양", "교양", "입양", "사양", "모양", "다양", "수양",
    "봉양", "부양", "분양", "평양", "함양", "단양", "밀양", "고양", "안양", "남양", "광양", "양양", "청양",
    "담양", "선양", "토양", "태양", "배양", "지양", "인양", "문양", "종양", "공양", "소양", "마음씨",
    "아가씨", "아저씨", "글씨", "솜씨", "맵씨", "말씨", "불씨", "날씨", "볍씨", "홀씨", "성씨", "스님",
    "하느님", "하나님",
)  # fmt: skip
# Final syllables of particles and verb or adjective endings: a "name" ending in one is a phrase (정당한).
_NON_FINAL = frozenset(
    "으로와과적들을를는에던할될된게께히토험글스난한의것고면며다요니까죠러려야어씨님군양셨습겠이가도여터돼듯데만절"
)
# After "홍길동 군" the next word tells a name from the army (하지만 군 복무, 여성이 군 당국).
_ARMY_AFTER = re.compile(
    r"[은는이가의에을를도만]?[ ]?(?:복무|입대|제대|생활|당국|부대|병원|장병|간부|기강|병력|전력|조직|문화|수사"
    r"|의문사|훈련|면제|가산점|미필|전역|휴가|관계자|의무|적폐|동원|징집|출신|대한|청탁|복귀|간(?![가-힣])|가[는서게])"
)
# Syllables of Korean given names: a "name" with any other syllable (진술서, 우울증, 노래방) is a word.
_GIVEN_SYLLABLES = frozenset(
    "가각간갑강개건걸겸경계고곤공관광교구국군권규균근금기길끝나난남내녀노누늘다단담당대덕도돈돌동두득"
    "라란람랑래량려력련렬령례로록뢰룡루류륜률륭르리린림마막만매면명모목몽무묵문미민밀바박반방배백범벽"
    "변별병보복본봉부분비빈빛사산삼상새샘생서석선설섭성세소솔송쇠수숙순숭슬승시식신실심십아안애야양어"
    "억언엄여연열염엽영예오옥온완왕요용우욱운웅원월위유육윤율융은을음응의이익인일임자작잔장재저적전절"
    "점정제조종주준중지직진찬창채천철청초춘충치칠탁태택판팔평표풍필하학한해행향헌혁현형혜호홍화환활황"
    "회효후훈휘흠흥희힘"
)
# Common words that start with a surname syllable and follow name markers (피해자 가족, 작성자 : 전국 …).
_NOT_NAMES = _words(
    "가족 가해 가정 가게 가장 가운데 가입 가능 가짜 고인 고소 고발 고객 고등 공무원 공사 공단 공범 공개",
    "공동 공유 공부 국민 국가 국회 기관 기관인 기자 기타 기준 기부금 김대표 구제 구제제 구조자 구청",
    "구의원 구역 경비원 경찰 경찰서 검찰 강력 강제 강요 고통 고생 고향 기억 나이 나온 남편 남자 남성",
    "노인 노동 노동자 노모 노부 대표 도움 도청 도의원 동네 마음 마음대 마을 마지막 매장 명의 명예",
    "명백 명확 모두 모두가 모든 모든분 모임 모자 모친 문제 문의 민원 민원인 민원실 민간 박사 반장",
    "반드시 반복 반려인 방법 방문 방송 방송인 배상 변호 변호인 변호사 보상 보호 보험 보험사 본사",
    "본인 부모 부모님 부친 부인 부서 부분 부재 부재중 부동산 사람 사건 사실 사장 사회 사망 사과",
    "사무실 사무소 상담 상담실 서명 선도 선생 성명 성별 성함 성추행 성폭행 성범죄 성인 소송 소속",
    "소장 소년 소녀 소문 소유인 소유주 손자 손녀 시청 신고 신청 신분 신자 신도 신부 심각 심지어",
    "안내 안전 안녕 양측 양쪽 양가 양심 어머니 어른 어린이 어린이집 엄마 여성 여자 여러분 여행",
    "여행사 연락 연락처 연령 연령별 연장 연구원 연예인 용의자 우리 우리들 원고 원장 위력 위령제",
    "위로금 위원 위원회 위원장 위탁원 유족 유가족 유가족들 유권자 유치원 육군 은행 의사 이름 이상",
    "이번 이후 이전 이미 이런 이제 이유 이의 이사 이면서 이백명 이웃 인정 인권 인간 임대 임차 임신",
    "임신중 임원 임직원 임의 일동 장애 장애인 전화 전화기 전국 전국민 전부 전체 전원 전혀 전세 전세가",
    "정부 정부문 정보 정치인 정말 정도 정신 정비소 제가 제게 제발 조사 조카 조치 조합 조합원 조합장",
    "주민 주소 주소지 주거지 주부 주지 주임 주한 지인 지역 지사 지점 지난주 직원 진술 진술서 진정",
    "진상 진실 진짜 진단서 진주 차량 처벌 처리 처분 청년 최근 최초 추가 표현 표시 편 피해 하나 하루",
    "하도 학교 학생 한명 한분 한번 한사람 한국 한국인 함께 해당 현재 형 형사 형제 홍보 황당 공군",
    "해군 국군 병원 저희 아이 경기 경북 경남 강원 전북 전남 제주 소방서 명소 명나라 나라",
)


def _is_surname_led(name: str) -> bool:
    return name[:2] in _SURNAMES_2 or name[0] in _SURNAMES_1


def _given_name(name: str) -> str:
    return name[2:] if name[:2] in _SURNAMES_2 and len(name) > 2 else name[1:]


def _plausible_name(name: str) -> bool:
    """A 2-4 syllable name led by a surname that is not a common word or a role (선생, 위원장, 부모 …)."""
    if not 2 <= len(name) <= 4 or not _is_surname_led(name) or name in _NOT_NAMES or name in _MARKER_WORDS:
        return False
    if len(name) == 4 and name[:2] not in _SURNAMES_2:
        return False
    if name[1] == "모":  # 김모, 이모씨: already anonymised
        return False
    if not all(syllable in _GIVEN_SYLLABLES for syllable in _given_name(name)):
        return False
    if any(_is_word_with_particle(name, k) for k in range(1, len(name))):
        return False  # a common noun with its particle (여성이, 연장은)
    return not name.endswith(_ROLE_ENDINGS) and name[-1] not in _NON_FINAL


def _is_word_with_particle(word: str, k: int) -> bool:
    """``word`` is a common noun followed by a particle, 인 or a 하다 ending (가족이, 명소인, 진정하는)."""
    head, rest = word[:k], word[k:]
    if head not in _NOT_NAMES and head not in _MARKER_WORDS:
        return False
    return rest in ("인", "란") or rest[:1] in ("하", "했", "한", "할", "합") or bool(_AFTER_NAME.fullmatch(rest))


def _split_name(word: str, minimum: int) -> str | None:
    """The name at the start of a Hangul run, with only particles or 씨/님 after it (홍길동님께서 → 홍길동)."""
    for length in (4, 3, 2):
        name, rest = word[:length], word[length:]
        if length < minimum or len(word) < length or not (rest == "인" or _AFTER_NAME.fullmatch(rest)):
            continue
        if word in _MARKER_WORDS or any(_is_word_with_particle(word, k) for k in range(1, len(word))):
            return None  # a common noun with a particle (가족이, 부서에, 편이라는)
        if _plausible_name(name):
            return name
    return None


def _names_after_markers(text: str) -> Iterator[tuple[int, int]]:
    """성명 : 홍길동, 성명 :이 효 상, 피해자 김지은의, 故 최숙현, 제 이름은 홍길동입니다."""
    for match in _MARKER.finditer(text):
        start = match.end()
        colon = bool(match["late"] or match["sep"].strip())
        if not colon and match["word"].replace(" ", "") not in _STRONG_MARKERS:
            continue
        spaced = _SPACED.match(text, start) if colon else None
        if spaced and _is_surname_led(spaced.group()[0]) and len(spaced.group()) <= 5:
            yield start, spaced.end()
            continue
        run = _HANGUL_RUN.match(text, start)
        name = _split_name(run.group(), 2 if colon else 3) if run else None
        if name is not None:
            yield start, start + len(name)


def _names_before_titles(text: str) -> Iterator[tuple[int, int]]:
    """홍길동 씨, 홍길동님께서, 이윤희 양, 김민식 군 — but not 대통령님, 부여군, 주한미군, 사실인 양."""
    for match in _TITLED.finditer(text):
        name, title = match["name"], match["title"]
        if not _AFTER_NAME.fullmatch(match["rest"]) or not _plausible_name(name):
            continue
        if len(name) < 3 and not (title == "씨" and match["gap"]):
            continue
        if (name + title).endswith(_TITLE_COMPOUNDS) or (title == "군" and name in _COUNTIES):
            continue
        if title == "씨" and len(name) == 3 and name[:2] in _CITIES | _COUNTIES:  # 진주강씨: a clan, not a person
            continue
        if title == "군" and _ARMY_AFTER.match(text, match.end("title")):
            continue
        yield match.start("name"), match.end("name")


def _names_signed(text: str) -> Iterator[tuple[int, int]]:
    """홍길동 올림 / 드림 / 배상 / (인), 저는 홍길동입니다."""
    for pattern in (_SIGNED, _SELF):
        for match in pattern.finditer(text):
            if _plausible_name(match["name"].replace(" ", "")):
                yield match.start("name"), match.end("name")


def _names_beside_phones(text: str) -> Iterator[tuple[int, int]]:
    """A plausible name written just before or after a phone number, as in signature blocks."""
    for phone in _PHONE.finditer(text):
        window_start = max(0, phone.start() - 16)
        before = _NAME_BEFORE_PHONE.search(text, window_start, phone.start())
        after = _NAME_AFTER_PHONE.match(text, phone.end())
        for match in (before, after):
            if match and _plausible_name(match["name"].replace(" ", "")):
                yield match.start("name"), match.end("name")


NAME_RULES = (_names_after_markers, _names_before_titles, _names_signed, _names_beside_phones)


def _names(text: str) -> Iterator[PiiSpan]:
    for rule in NAME_RULES:
        for start, end in rule(text):
            yield PiiSpan(start, end, "name")
