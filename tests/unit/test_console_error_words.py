"""The console shows no English: every error code the server can raise has a Korean sentence in
``console/static/errors-ko.js`` (``Sori.ERRORS``), and the table names no code that no longer exists.

The codes are found by reading the source, not by importing it: the ``code = "…"`` of error classes, and the
string first argument of every ``ApiError(…)`` and ``error_body(…)`` call and the ``"error"`` of a literal
JSON error body.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from console.pages import SCRIPTS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crm", "kernel", "telephony", "integrations", "dashboard", "sori", "console")
STATIC = ROOT / "console" / "static"
TABLE = STATIC / "errors-ko.js"
ENTRY = re.compile(r'^\s*"([a-z0-9-]+)":\s*"((?:[^"\\]|\\.)*)",?\s*$')
HANGUL = re.compile("[\uac00-\ud7a3]")
CODE_CALLS = frozenset({"ApiError", "error_body"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _trees() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def _class_code(node: ast.ClassDef) -> str | None:
    for item in node.body:
        if isinstance(item, ast.Assign) and [_name(t) for t in item.targets] == ["code"]:
            return _string(item.value)
    return None


def _is_error(name: str, bases: dict[str, set[str]], seen: frozenset[str] = frozenset()) -> bool:
    """Does the class ``name`` derive, by name, from an exception (``…Error``, ``…Exception``, another error)?"""
    if name in seen:
        return False
    for base in bases.get(name, set()):
        if base.endswith(("Error", "Exception")) or _is_error(base, bases, seen | {name}):
            return True
    return False


def raised_codes() -> dict[str, str]:
    """code → where it is written, for every error class and error-body call in the packages."""
    trees = _trees()
    bases: dict[str, set[str]] = {}
    classes: list[tuple[str, ast.ClassDef]] = []
    for where, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(n for b in node.bases if (n := _name(b)) is not None)
                classes.append((where, node))
    found: dict[str, str] = {}
    for where, node in classes:
        code = _class_code(node)
        if code is not None and _is_error(node.name, bases):
            found.setdefault(code, f"{where}:{node.name}")
    for where, tree in trees:
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _name(call.func) in CODE_CALLS and call.args:
                code = _string(call.args[0])
            elif isinstance(call, ast.Dict):
                code = next(
                    (_string(v) for k, v in zip(call.keys, call.values, strict=True) if _string(k) == "error"), None
                )
            else:
                continue
            if code is not None:
                found.setdefault(code, f"{where}:{getattr(call, 'lineno', 0)}")
    return found


def source_strings() -> set[str]:
    """Every string the packages' Python writes and every ``error: "…"`` the console's scripts make themselves."""
    strings = {s for _, tree in _trees() for node in ast.walk(tree) if (s := _string(node)) is not None}
    for script in sorted(STATIC.glob("*.js")):
        strings.update(re.findall(r'error:\s*"([a-z0-9-]+)"', script.read_text(encoding="utf-8")))
    return strings


def table() -> dict[str, str]:
    """code → Korean sentence, read from errors-ko.js one entry a line."""
    entries: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if (match := ENTRY.match(line)) is not None:
            assert match.group(1) not in entries, f"{match.group(1)} is in errors-ko.js twice"
            entries[match.group(1)] = match.group(2)
    return entries


def test_the_scan_finds_codes_of_every_kind() -> None:
    codes = raised_codes()
    for code in ("identity-not-verified", "unknown-queue", "validation-failed", "malformed-json", "internal-error"):
        assert code in codes
    assert len(table()) > 100


def test_every_code_has_a_korean_sentence() -> None:
    words = table()
    missing = {code: where for code, where in sorted(raised_codes().items()) if code not in words}
    assert not missing, f"error codes without a Korean sentence in console/static/errors-ko.js: {missing}"


def test_every_sentence_is_korean() -> None:
    english = sorted(code for code, text in table().items() if not HANGUL.search(text))
    assert not english, f"entries of console/static/errors-ko.js that are not Korean: {english}"


def test_no_sentence_is_for_a_code_that_no_longer_exists() -> None:
    known = raised_codes().keys() | source_strings()
    stale = sorted(code for code in table() if code not in known)
    assert not stale, f"entries of console/static/errors-ko.js for codes nothing raises: {stale}"


def test_the_page_loads_the_table_right_after_the_core() -> None:
    assert SCRIPTS[:2] == ("console.js", "errors-ko.js")
