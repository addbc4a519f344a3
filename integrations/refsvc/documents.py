"""The played systems' OpenAPI documents in the repository (``docs/integrations/<system>.openapi.json``).

``python -m integrations.refsvc.documents [DIR]`` writes them (default ``docs/integrations``); a test checks the
committed files equal what the routers state, so the documents never drift from the reference service.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from integrations.refsvc.main import systems
from integrations.refsvc.openapi import system_document

VERSION = "1.0.0"


def documents() -> dict[str, dict[str, Any]]:
    """Each played system's document by name, built from its routes alone (no store, no catalog loaded)."""
    return {name: system_document(system, version=VERSION) for name, system in systems().items()}


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/integrations")
    out.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        (out / f"{name}.openapi.json").write_text(rendered(document), encoding="utf-8")
        print(out / f"{name}.openapi.json")


if __name__ == "__main__":
    main()
