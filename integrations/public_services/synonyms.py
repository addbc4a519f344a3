"""Everyday Korean and the administrative words of the catalog: a hand-written table for query expansion.

Callers and agents say 이빨, 애기, 집세, 병원비; the 보조금24 texts say 치아, 영유아, 임차료, 의료비. Each
``SynonymGroup`` gathers words of one meaning: ``terms`` are the catalog's own words for it (each expands to
the others, unless the group is not ``interchangeable``: 수당 and 연금 are both "money", but a search for 연금
should not add 수당), ``everyday`` are words people use that expand one way to ``terms`` (searching 노인
should not add 할머니). Expansions are added to a query at a lower weight than its own words, and only for
whole words of the query: 교육급여 does not expand its part 급여.

The table is general vocabulary, the kind a 129 agent knows, not a route from a test query to one service:
every entry of ``terms`` must occur in the texts of several services of several agencies (checked by
``tests/unit/integrations_public_services/test_synonyms.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SynonymGroup:
    meaning: str
    terms: tuple[str, ...]
    everyday: tuple[str, ...] = ()
    interchangeable: bool = True


GROUPS: tuple[SynonymGroup, ...] = (
    # People
    SynonymGroup("older people", ("어르신", "노인", "고령자"), ("할머니", "할아버지", "노부모", "65세")),
    SynonymGroup("babies and infants", ("영유아", "영아", "아기", "신생아"), ("애기", "갓난아기", "갓난쟁이")),
    SynonymGroup("children", ("아동", "자녀", "유아"), ("애들", "꼬마", "어린이", "아들", "딸")),
    SynonymGroup("young adults", ("청년",), ("20대", "30대", "사회초년생", "젊은이")),
    SynonymGroup("students", ("학생", "대학생"), ("대학교", "대학")),
    SynonymGroup("pregnancy and birth", ("임산부", "임신", "출산", "산모", "임부"), ("애낳다", "임신부")),
    SynonymGroup("disability", ("장애인", "장애"), ("몸이 불편한", "거동이 불편한", "불구")),
    SynonymGroup("living alone", ("독거", "1인가구", "홀몸"), ("혼자 사는", "혼자 살다", "혼자")),
    SynonymGroup("single parents", ("한부모", "미혼모", "조손"), ("싱글맘", "싱글대디", "미혼부")),
    SynonymGroup("low income", ("저소득", "수급자", "차상위", "기초생활"), ("가난", "형편이 어려운", "어렵다")),
    SynonymGroup("veterans", ("보훈", "국가유공자", "참전"), ("유공자", "군인 출신")),
    SynonymGroup("multicultural families", ("다문화", "결혼이민자", "외국인"), ("이주민", "국제결혼")),
    SynonymGroup("farmers and fishers", ("농업인", "어업인", "농가", "농어업인"), ("농민", "어민", "농사")),
    SynonymGroup("small businesses", ("소상공인", "자영업자", "소기업"), ("가게", "장사", "사장님")),
    SynonymGroup("family carers", ("보호자", "부양자", "부양의무자"), ("돌보는 가족", "식구")),
    # Money
    SynonymGroup(
        "cash benefits",
        ("수당", "지원금", "급여", "장려금", "보조금", "연금"),
        ("돈", "용돈", "생활비 지원", "받는 돈", "주는 돈"),
        interchangeable=False,
    ),
    SynonymGroup("allowance paid to elderly", ("기초연금",), ("노인 연금", "노령연금", "노령수당")),
    SynonymGroup("living costs", ("생계", "생활비", "생계비"), ("먹고 살", "먹고살기")),
    SynonymGroup("help, support", ("지원", "보조", "도움"), ("도와주다", "돕다"), interchangeable=False),
    SynonymGroup("reduction of a charge", ("감면", "할인", "감경", "면제", "경감"), ("깎아주다", "싸게", "공짜")),
    SynonymGroup("loans", ("융자", "대출", "대부"), ("빌리다", "빚")),
    SynonymGroup("scholarship and tuition", ("장학금", "학자금", "등록금", "수업료"), ("학비", "대학 등록금")),
    SynonymGroup("savings accounts", ("적금", "저축", "자산형성", "계좌"), ("통장", "목돈")),
    SynonymGroup("debt relief", ("채무", "부채", "신용회복"), ("빚 갚기", "신용불량")),
    # Housing
    SynonymGroup("rent", ("월세", "임차료", "주거비", "임대료"), ("집세", "방세", "월셋값")),
    SynonymGroup("home, housing", ("주택", "주거", "거주지"), ("집", "살 집", "아파트")),
    SynonymGroup("lease deposit", ("전세", "보증금", "임차보증금"), ("전셋값", "전세금")),
    SynonymGroup("house repair", ("집수리", "개보수", "주거환경개선"), ("집 고치기", "수리")),
    # Health
    SynonymGroup("teeth", ("치아", "틀니", "의치", "임플란트", "보철", "치과"), ("이빨", "잇몸", "이가 아픈")),
    SynonymGroup("medical costs", ("의료비", "진료비", "치료비", "본인부담금"), ("병원비", "병원 비용", "수술비")),
    SynonymGroup("illness", ("질병", "질환", "희귀질환", "중증"), ("아픈", "아프다", "병", "병들다")),
    SynonymGroup("medicine", ("약제비", "의약품", "약품"), ("약값", "약", "약 값")),
    SynonymGroup("dementia", ("치매", "인지"), ("기억력", "건망증", "노망")),
    SynonymGroup("vaccination", ("예방접종", "접종", "백신"), ("예방주사", "주사", "독감주사")),
    SynonymGroup("influenza", ("인플루엔자", "독감"), ("감기 주사",)),
    SynonymGroup("infertility", ("난임", "체외수정", "인공수정"), ("시험관", "불임", "임신이 어려운")),
    SynonymGroup("postnatal care", ("산후", "건강관리사", "산모신생아"), ("산후도우미", "산모도우미", "산후조리")),
    SynonymGroup("mental health", ("정신건강", "우울", "우울증", "심리"), ("마음", "스트레스", "정신과")),
    SynonymGroup("hospital", ("병원", "의료기관", "요양기관"), ("의원", "보건소")),
    SynonymGroup("check-up", ("건강검진", "검진", "검사"), ("건강 검사", "진찰")),
    SynonymGroup("nursing care", ("요양", "장기요양", "간병"), ("요양원", "간병인")),
    SynonymGroup("hearing and sight", ("보청기", "청각", "시각", "안경"), ("귀가 어두운", "난청", "눈이 나쁜")),
    # Care
    SynonymGroup("childcare", ("보육", "아이돌봄", "돌봄", "어린이집"), ("베이비시터", "아기 봐주는", "애 봐주는")),
    SynonymGroup("personal assistance", ("활동지원", "활동보조"), ("활동보조인", "활동보조사")),
    SynonymGroup("home visits", ("방문", "가정방문", "재가"), ("집으로 오는", "찾아오는")),
    SynonymGroup("safety check on people alone", ("안부", "안부확인"), ("안부 전화", "살펴보다")),
    SynonymGroup("helpers", ("도우미", "관리사"), ("돌보미", "아줌마", "도와주는 사람")),
    SynonymGroup("meals", ("급식", "식사", "도시락", "밑반찬"), ("밥", "반찬", "끼니")),
    # Work
    SynonymGroup("jobs", ("일자리", "취업", "고용", "구직"), ("직장", "알바", "아르바이트", "취직", "일터")),
    SynonymGroup("unemployment", ("실업", "실직", "구직급여", "실업급여"), ("퇴사", "해고", "잘리다", "직장을 잃다")),
    SynonymGroup("job training", ("직업훈련", "직업능력", "훈련"), ("기술 배우기", "학원")),
    SynonymGroup("starting a business", ("창업", "사업자"), ("가게를 열다", "장사를 시작")),
    SynonymGroup("both parents working", ("맞벌이",), ("워킹맘", "직장맘", "부부 모두 직장")),
    # Utilities and daily life
    SynonymGroup("heating", ("난방비", "난방", "연료비", "에너지", "연탄"), ("기름값", "보일러", "가스비", "등유")),
    SynonymGroup(
        "utility bills", ("요금", "공공요금", "전기요금", "수도요금"), ("전기세", "수도세", "가스요금", "관리비")
    ),
    SynonymGroup("phone and internet", ("통신비", "통신"), ("휴대폰", "핸드폰", "이동전화", "전화비")),
    SynonymGroup("usage fee", ("사용료", "이용료", "요금"), ("쓰는 값", "이용 요금")),
    SynonymGroup("transport", ("교통비", "교통", "대중교통", "버스"), ("차비", "택시비")),
    SynonymGroup("food and groceries", ("식품", "먹거리", "농산물", "푸드뱅크"), ("먹거리 지원", "쌀", "식료품")),
    SynonymGroup("baby supplies", ("기저귀", "조제분유", "분유"), ("애기 용품", "육아용품")),
    SynonymGroup("child raising", ("양육", "육아", "양육비"), ("애 키우기", "아이 키우기", "키우다")),
    SynonymGroup("education", ("교육", "학습", "교육비"), ("공부", "학원비")),
    SynonymGroup("culture and leisure", ("문화", "여가", "관광", "체육"), ("놀이", "여행", "운동")),
    SynonymGroup("funeral", ("장례", "장제", "장례비"), ("장례식", "상 치르기")),
    SynonymGroup("emergency aid", ("긴급", "위기", "긴급지원"), ("급하다", "당장")),
    SynonymGroup("disaster", ("재난", "재해", "피해"), ("사고", "태풍", "홍수")),
    SynonymGroup("legal help", ("법률", "법률상담", "소송"), ("변호사", "고소", "법적 분쟁")),
    SynonymGroup("violence and abuse", ("폭력", "학대", "피해자"), ("때리다", "괴롭힘")),
    SynonymGroup("winter", ("동절기", "겨울철"), ("겨울", "추위")),
    SynonymGroup("the state", ("정부", "국가"), ("나라", "국가에서")),
)

#: Weight of a query's own terms, of a ``terms`` word expanded from another, of one expanded from ``everyday``.
OWN_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.4
EVERYDAY_WEIGHT = 0.7


WordTerms = Callable[[str], list[tuple[str, list[str]]]]


def word_keys(text: str, word_terms: WordTerms) -> list[str | None]:
    """The term that stands for each word of ``text``: the word itself if it is a term, else its longest
    term (``1인가구`` → 1인가구, not 인 and 가구; ``사는`` → 살다), None for a word with no term (``너무``)."""
    keys: list[str | None] = []
    for word, terms in word_terms(text):
        if word in terms:
            keys.append(word)
        else:
            keys.append(max(terms, key=len) if terms else None)  # max: the first longest, the whole run
    return keys


def phrase_keys(phrase: str, word_terms: WordTerms) -> tuple[str, ...]:
    """The keys of a table entry, () if one of its words has none (the entry would then match too much)."""
    keys = word_keys(phrase, word_terms)
    return () if None in keys else tuple(dict.fromkeys(k for k in keys if k is not None))


@dataclass(frozen=True)
class Rule:
    """When every term of ``trigger`` is in a query, add ``adds`` (term → weight)."""

    trigger: tuple[str, ...]
    adds: tuple[tuple[str, float], ...]


class SynonymTable:
    """``GROUPS`` compiled with the search's analyser, so table entries and queries are cut the same way."""

    def __init__(self, word_terms: WordTerms, groups: tuple[SynonymGroup, ...] = GROUPS) -> None:
        rules: list[Rule] = []
        for group in groups:
            terms = [keys for p in group.terms if (keys := phrase_keys(p, word_terms))]
            everyday = [keys for p in group.everyday if (keys := phrase_keys(p, word_terms))]
            for keys in terms if group.interchangeable else []:
                others = [k for k in terms if k != keys]
                rules.append(Rule(keys, _spread(others, SYNONYM_WEIGHT)))
            for keys in everyday:
                rules.append(Rule(keys, _spread(terms, EVERYDAY_WEIGHT)))
        self.rules = tuple(rule for rule in rules if rule.trigger and rule.adds)

    def expand(self, terms: list[str], words: tuple[str, ...]) -> dict[str, float]:
        """The weighted query: its ``terms`` at ``OWN_WEIGHT``, and the expansions of its whole ``words``
        (``word_keys`` of the query) at their highest weight below it."""
        query = dict.fromkeys(terms, OWN_WEIGHT)
        present = set(words)
        for rule in self.rules:
            if all(t in present for t in rule.trigger):
                for term, weight in rule.adds:
                    if weight > query.get(term, 0.0):
                        query[term] = weight
        return query


def _spread(phrases: list[tuple[str, ...]], weight: float) -> tuple[tuple[str, float], ...]:
    """Each phrase's weight shared among its terms (a two-word phrase is one meaning, not two)."""
    out: dict[str, float] = {}
    for keys in phrases:
        for key in keys:
            out[key] = max(out.get(key, 0.0), weight / len(keys))
    return tuple(out.items())
