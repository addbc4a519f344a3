"""How well the search ranks: MRR and recall@5 over the hand-written relevance set (``data/relevance.json``).

Each query lists the services a good search must rank near the top; the first of them found counts (any one
is a hit). MRR is over the top 10 (a service ranked below 10 scores 0); recall@5 is the share of queries with
a hit in the top 5. Both are given over all queries and over those marked ``avoids_title_words``, which share
no word with their services' titles and so measure the synonyms and the body text, not title matching.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

RELEVANCE_FILE = "relevance.json"
MRR_DEPTH = 10
RECALL_DEPTH = 5
#: How deep a miss is looked for, to report its rank (diagnostics only: a rank past 10 scores 0).
DIAGNOSTIC_DEPTH = 100


class _Hit(Protocol):
    @property
    def service_id(self) -> str: ...


class _Page(Protocol):
    @property
    def hits(self) -> tuple[_Hit, ...]: ...


class Searchable(Protocol):
    def search(self, query: str, *, limit: int = 10) -> _Page: ...


@dataclass(frozen=True)
class QueryRank:
    query: str
    avoids_title_words: bool
    rank: int | None  # 1-based rank of the first expected service, None if not in the top DIAGNOSTIC_DEPTH
    top: tuple[str, ...]  # the ids ranked 1..RECALL_DEPTH


@dataclass(frozen=True)
class Scores:
    queries: int
    mrr: float
    recall_at_5: float


@dataclass(frozen=True)
class Relevance:
    overall: Scores
    avoids_title_words: Scores
    ranks: tuple[QueryRank, ...]


def load_queries(relevance_path: Path | str | None = None) -> list[dict[str, Any]]:
    if relevance_path is None:
        text = resources.files("integrations.public_services").joinpath("data", RELEVANCE_FILE).read_text("utf-8")
    else:
        text = Path(relevance_path).read_text(encoding="utf-8")
    queries: list[dict[str, Any]] = json.loads(text)["queries"]
    return queries


def scores(ranks: list[QueryRank]) -> Scores:
    if not ranks:
        return Scores(0, 0.0, 0.0)
    reciprocal = [1 / r.rank if r.rank is not None and r.rank <= MRR_DEPTH else 0.0 for r in ranks]
    found = [r.rank is not None and r.rank <= RECALL_DEPTH for r in ranks]
    return Scores(len(ranks), round(sum(reciprocal) / len(ranks), 4), round(sum(found) / len(ranks), 4))


def evaluate(search: Searchable, relevance_path: Path | str | None = None) -> Relevance:
    """Run every query of the relevance set through ``search`` and score the ranking."""
    ranks = []
    for entry in load_queries(relevance_path):
        expected = set(entry["expected"])
        ids = [hit.service_id for hit in search.search(entry["query"], limit=DIAGNOSTIC_DEPTH).hits]
        rank = next((i for i, service_id in enumerate(ids, start=1) if service_id in expected), None)
        ranks.append(QueryRank(entry["query"], bool(entry["avoids_title_words"]), rank, tuple(ids[:RECALL_DEPTH])))
    subset = [r for r in ranks if r.avoids_title_words]
    return Relevance(scores(ranks), scores(subset), tuple(ranks))
