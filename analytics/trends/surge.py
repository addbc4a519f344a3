"""급증 키워드: words whose share of the day's documents jumps against the days before.

The test, per token: its document frequency on the day, as a share p of the day's documents, against
the same share on each of the trailing baseline days (default 28). With the baseline's mean m and
standard deviation s of that share, the score is

    z = (p - m) / sqrt(s² + m(1 - m)/n + ε)

where n is the day's document count: the binomial term keeps a word seen in 3 of 40 documents from
outranking one seen in 300 of 4,000 when the baseline has no variance, and ε (1e-6) keeps words never
seen before finite. A keyword needs at least ``min_docs`` documents on the day and a share at least
``min_ratio`` times the baseline mean (new words count as infinitely more). Pure: the caller supplies
the frequencies (``SearchIndex.token_doc_freq``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

EPSILON = 1e-6


@dataclass(frozen=True)
class Surge:
    token: str
    z: float
    docs: int  # documents of the day containing the token
    share: float  # docs / day's documents
    baseline_share: float  # mean share over the baseline days
    ratio: float  # share / baseline share (inf for a new word)


def surging(
    day: tuple[int, Counter[str]],
    baseline: Sequence[tuple[int, Counter[str]]],
    *,
    min_docs: int = 3,
    min_ratio: float = 2.0,
    min_z: float = 3.0,
    limit: int = 20,
) -> list[Surge]:
    """The day's surging tokens, highest z first. ``day`` and each baseline day: (documents, token DF)."""
    n, freq = day
    if n == 0:
        return []
    days = [(count, df) for count, df in baseline if count > 0]
    out = []
    for token, docs in freq.items():
        if docs < min_docs:
            continue
        share = docs / n
        shares = [df.get(token, 0) / count for count, df in days]
        mean = sum(shares) / len(shares) if shares else 0.0
        var = sum((x - mean) ** 2 for x in shares) / (len(shares) - 1) if len(shares) > 1 else 0.0
        z = (share - mean) / math.sqrt(var + mean * (1 - mean) / n + EPSILON)
        ratio = share / mean if mean > 0 else math.inf
        if z >= min_z and ratio >= min_ratio:
            out.append(Surge(token, z, docs, share, mean, ratio))
    out.sort(key=lambda s: (-s.z, -s.docs, s.token))
    return out[:limit]
