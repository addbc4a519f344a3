"""Precomputes the search terms of the shipped catalog (Kiwi over every service, about a minute).

Run from the repository root after the catalog or the analyser (``tokens``) changed::

    python -m integrations.public_services.build_search_terms \
        --out integrations/public_services/data/search_terms.jsonl.gz
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from integrations.public_services.catalog import load_catalog
from integrations.public_services.search_terms import analyse, encode
from integrations.public_services.tokens import Analyser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Precompute the public-service search terms.")
    parser.add_argument("--catalog", type=Path, default=None, help="a catalog.jsonl.gz (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=Path("integrations/public_services/data/search_terms.jsonl.gz"))
    parser.add_argument("--workers", type=int, default=2, help="Kiwi worker threads")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    catalog = load_catalog(args.catalog)
    terms = analyse(catalog, Analyser(num_workers=args.workers))
    data = encode(terms)
    args.out.write_bytes(data)
    total = sum(len(words) for entry in terms for words in entry.fields.values())
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"services": len(terms), "terms": total, "bytes": len(data), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
