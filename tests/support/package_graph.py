"""The picture of the packages and their allowed directions, generated for docs/architecture.md.

Layers come from the import contracts in pyproject.toml (``[tool.importlinter]``); the arrows are the imports
the code really has between top-level packages (grimp, import-linter's own graph). Print the block with
``.venv/bin/python -m tests.support.package_graph``; tests/unit/test_import_contracts.py checks that the document
shows what this prints.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- package-graph:begin -->", "<!-- package-graph:end -->"


def layers() -> list[list[str]]:
    """The layers contract's layers, top first; each a list of sibling packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "layers")
    return [[name.strip() for name in layer.replace(":", "|").split("|")] for layer in contract["layers"]]


def package_edges(packages: list[str]) -> list[tuple[str, str]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*packages)
    return sorted(
        (a, b)
        for a in packages
        for b in packages
        if a != b and graph.direct_import_exists(importer=a, imported=b, as_packages=True)
    )


def mermaid() -> str:
    stack = layers()
    packages = [name for layer in stack for name in layer]
    lines = [BEGIN, "```mermaid", "flowchart TD"]
    for depth, layer in enumerate(stack):
        lines.append(f'  subgraph L{depth}["layer {depth + 1}"]')
        lines.extend(f"    {name}" for name in layer)
        lines.append("  end")
    lines.extend(f"  {a} --> {b}" for a, b in package_edges(packages))
    lines += ["```", END]
    return "\n".join(lines)


def documented(text: str) -> str:
    """The block between the markers in ``text`` (with the markers), or '' if there is none."""
    start, end = text.find(BEGIN), text.find(END)
    return text[start : end + len(END)] if 0 <= start < end else ""


if __name__ == "__main__":
    print(mermaid())
