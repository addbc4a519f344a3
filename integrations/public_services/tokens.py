"""Korean search terms of a text: Kiwi morphemes kept by tag, compounds both whole and split.

A search term is a content morpheme (general/proper noun, root, foreign word, Chinese characters, a verb or
adjective stem as its lemma ``살다``, an adverb of two or more syllables: 혼자, 매달); particles, endings
and suffixes of inflection are dropped. Compounds
match both whole and split:

* morphemes written together (no space) form a run, and each adjacent pair and the whole run are terms too:
  ``아동수당`` → 아동, 수당, 아동수당; ``한부모`` (determiner 한 + 부모) → 부모, 한부모; ``65세`` → 65세;
* a noun Kiwi keeps whole but that ends in a Sino-Korean noun suffix of cost, person or document
  (비 費, 료 料, 금 金, 인 人, 자 者 …) also yields its stem: ``양육비`` → 양육비, 양육 (the suffix alone
  would match every other cost).

So "양육비" and "양육 비" share terms, and so do "장애인" and "장애". The same function analyses the catalog
(precomputed by ``build_search_terms``), the synonym table and every query, which is what makes them meet.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

#: Bumped whenever the rules below change: the shipped terms file records it and is re-analysed on mismatch.
ANALYSER_VERSION = 3

_NOUNS = frozenset({"NNG", "NNP"})
_CONTENT = _NOUNS | {"XR", "SL", "SH"}
_LEMMAS = frozenset({"VV", "VA"})
# Adverbs of two or more syllables say something here (혼자, 홀로, 매달, 무료로); one-syllable ones (안, 잘) not.
_ADVERB = "MAG"
# Tags that join a run of morphemes written together but are no term on their own.
_JOINERS = frozenset({"MM", "XPN", "XSN", "SN", "NNB"})
#: Sino-Korean noun suffixes split off a whole noun Kiwi did not split (cost, fee, money, ticket, person …).
SPLIT_SUFFIXES = frozenset("비료금값세권자인사액원증")
#: Single-syllable nouns that say nothing about a service (time and order words, list markers).
STOP_TERMS = frozenset({"때", "후", "전", "중", "등", "및", "외", "내", "시", "곳", "분", "명", "년", "월", "일", "개"})
_DROPPED_SUFFIXES = frozenset({"들"})  # plural 들 (어르신들) never makes a compound


class KiwiToken(Protocol):
    form: str
    tag: Any
    start: int
    len: int


def split_suffix(noun: str) -> tuple[str, str] | None:
    """``양육비`` → (양육, 비): a noun of three or more syllables ending in a suffix of ``SPLIT_SUFFIXES``."""
    if len(noun) >= 3 and noun[-1] in SPLIT_SUFFIXES:
        return noun[:-1], noun[-1]
    return None


def terms_of_tokens(tokens: Iterable[KiwiToken]) -> list[str]:
    """The search terms of one analysed text, in text order (repeats kept: they are term frequencies)."""
    out: list[str] = []
    run: list[tuple[str, str]] = []
    run_end = -1
    for token in tokens:
        tag = str(token.tag).split("-")[0]  # VV-R, VA-I: irregular stems
        form = token.form
        if tag in _CONTENT and len(words := form.split()) > 1:  # Kiwi's multi-word names: 다제내성 결핵
            _flush(run, out)
            run = []
            out.extend([*words, "".join(words)])
            continue
        if tag in _CONTENT or tag in _JOINERS:
            if tag == "XSN" and form in _DROPPED_SUFFIXES:
                continue
            if not run or token.start != run_end or not _joins(run[-1][1], tag):
                _flush(run, out)
                run = []
            run.append((form.lower() if tag == "SL" else form, tag))
            run_end = token.start + token.len
            continue
        _flush(run, out)
        run = []
        if tag in _LEMMAS:
            out.append(form + "다")
        elif tag == _ADVERB and len(form) >= 2:
            out.append(form)
    _flush(run, out)
    return out


def _joins(previous: str, tag: str) -> bool:
    if tag == "NNB":
        return previous == "SN"  # counters: 65세, 20대, 1인
    return tag != "MM"  # a determiner only ever starts a run


def _flush(run: list[tuple[str, str]], out: list[str]) -> None:
    if not run:
        return
    for form, tag in run:
        if tag not in _CONTENT or form in STOP_TERMS:
            continue
        out.append(form)
        if tag in _NOUNS:
            parts = split_suffix(form)
            if parts is not None:
                out.append(parts[0])
    forms = [form for form, _ in run]
    if len(forms) >= 2:
        out.extend(a + b for a, b in itertools.pairwise(forms))
        if len(forms) > 2:
            out.append("".join(forms))


class Analyser:
    """Kiwi and the rules above. Loading Kiwi takes 1-2 s and a few hundred MB: build one and share it."""

    def __init__(self, num_workers: int = 0) -> None:
        from kiwipiepy import Kiwi  # deferred: loading its model is the slow part

        self.num_workers = num_workers
        self._kiwi = Kiwi(num_workers=num_workers) if num_workers else Kiwi()
        self._lock = threading.Lock()  # one analysis at a time: searches may come from a thread pool

    def _tokenize(self, text: str) -> list[KiwiToken]:
        with self._lock:
            tokens: list[KiwiToken] = self._kiwi.tokenize(text)
        return tokens

    def terms(self, text: str) -> list[str]:
        """The search terms of ``text``."""
        return terms_of_tokens(self._tokenize(text))

    def word_terms(self, text: str) -> list[tuple[str, list[str]]]:
        """Each whitespace-separated word of ``text`` with its terms, the text analysed as a whole (Kiwi needs
        the context: 혼자 alone is an adverb, in 혼자 사는 a noun)."""
        tokens = self._tokenize(text)
        out = []
        for word in re.finditer(r"\S+", text):
            inside = [t for t in tokens if word.start() <= t.start < word.end()]
            out.append((word.group(), terms_of_tokens(inside)))
        return out

    def terms_many(self, texts: Sequence[str]) -> Iterator[list[str]]:
        """Terms of many texts in order, through Kiwi's worker threads when it has any."""
        if not self.num_workers:
            for text in texts:
                yield self.terms(text)
            return
        with self._lock:
            analysed = [terms_of_tokens(tokens) for tokens in self._kiwi.tokenize(list(texts))]
        yield from analysed


def kiwi_version() -> str:
    import kiwipiepy

    return str(kiwipiepy.__version__)
