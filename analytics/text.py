"""The Korean text pipeline: kiwipiepy morphemes kept by tag, a user dictionary of government terms, stop
words. Everything in analytics (classification, keywords, topics, search) sees text through ``tokens``.

Kiwi takes 1-2 s and 400-550 MB to load, so there is one per process (``shared_tokenizer``); batches go
through ``Kiwi.tokenize`` on an iterable, which uses the tokenizer's worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence

#: Morpheme tags kept: general and proper nouns, verb and adjective stems (as lemmas), roots, foreign words
#: and numbers written in Hangul are dropped (NR), Chinese characters kept (SH).
KEEP_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SH"})
_LEMMA_TAGS = frozenset({"VV", "VA"})

#: Terms of government services that must stay whole (Kiwi would split most of them).
GOVERNMENT_TERMS: tuple[str, ...] = (
    "주민등록등본", "주민등록초본", "주민등록증", "가족관계증명서", "기본증명서", "혼인관계증명서", "인감증명서",
    "건축물대장", "토지대장", "지방세", "재산세", "자동차세", "종합소득세", "부가가치세", "양도소득세", "연말정산",
    "국민신문고", "보조금24", "정부24", "홈택스", "위택스", "국민권익위원회", "다산콜재단", "기초연금", "국민연금",
    "건강보험", "고용보험", "산재보험", "실업급여", "육아휴직", "출산휴가", "기초생활수급", "차상위계층", "긴급복지",
    "아동수당", "부모급여", "장애인연금", "청년수당", "재난지원금", "전입신고", "여권발급", "운전면허", "과태료",
    "코로나19", "사회적거리두기", "백신접종",
)  # fmt: skip

#: Words too common in complaints to say anything about their subject.
STOP_WORDS = frozenset({
    "하다", "되다", "있다", "없다", "않다", "같다", "보다", "주다", "받다", "이다", "그렇다", "이렇다", "어떻다",
    "것", "수", "등", "때", "저", "제", "우리", "국민", "대한민국", "청원", "부탁", "생각", "문제", "내용", "경우",
    "사람", "말", "일", "중", "더", "안", "못", "번", "분", "명", "년", "월", "시", "곳", "점", "관련",
    "요청", "문의", "드리다", "싶다", "바라다", "위하다", "통하다", "대하다", "따르다", "의하다", "가다", "오다",
})  # fmt: skip


class KoreanTokenizer:
    def __init__(self, user_terms: Sequence[str] = GOVERNMENT_TERMS, num_workers: int = 0) -> None:
        """``num_workers`` 0: single-threaded (one core per process; scale with processes); n > 0: n threads."""
        from kiwipiepy import Kiwi  # deferred: heavy (kiwipiepy loads its model)

        self.num_workers = num_workers
        self.kiwi = Kiwi(num_workers=num_workers) if num_workers else Kiwi()  # Kiwi() is single-threaded
        for term in user_terms:
            self.kiwi.add_user_word(term, "NNP", 10.0)

    def tokens(self, text: str) -> list[str]:
        """The kept morphemes of ``text``, verbs and adjectives as lemmas (``신청하`` → ``신청하다``)."""
        return _keep(self.kiwi.tokenize(text))

    def tokens_many(self, texts: Iterable[str]) -> Iterator[list[str]]:
        """Tokens of many texts, in order (batched across Kiwi's threads when it has any)."""
        if self.num_workers == 0:
            for text in texts:
                yield self.tokens(text)
            return
        for morphemes in self.kiwi.tokenize(texts):
            yield _keep(morphemes)


def _keep(morphemes: Iterable[object]) -> list[str]:
    out = []
    for m in morphemes:
        tag = str(getattr(m, "tag", ""))
        if tag not in KEEP_TAGS:
            continue
        form = str(getattr(m, "form", ""))
        word = f"{form}다" if tag in _LEMMA_TAGS else form
        if (len(word) < 2 and tag != "SL") or word in STOP_WORDS:
            continue
        out.append(word.lower() if tag == "SL" else word)
    return out


_shared: KoreanTokenizer | None = None
_lock = threading.Lock()


def shared_tokenizer() -> KoreanTokenizer:
    """This process's tokenizer, loaded on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = KoreanTokenizer()
        return _shared
