"""Every error code the system can raise has an HTTP status stated by the package that owns it (none falls back
to a guess): the classes' ``code = "…"`` and every ``ApiError("…")`` the source writes, found by reading it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kernel.errors import DomainError
from kernel.http.errors import StatusTable
from sori.wiring import STATUSES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kernel", "crm", "telephony", "analytics", "dashboard", "integrations", "sori")


def raised_codes() -> dict[str, str]:
    """code → where it is written, for every error class and ``ApiError`` call in the packages."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            where = path.relative_to(ROOT).as_posix()
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if (
                            isinstance(item, ast.Assign)
                            and [getattr(t, "id", None) for t in item.targets] == ["code"]
                            and isinstance(item.value, ast.Constant)
                            and isinstance(item.value.value, str)
                        ):
                            found.setdefault(item.value.value, f"{where}:{node.name}")
                elif (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "ApiError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.setdefault(str(node.args[0].value), f"{where}:{node.lineno}")
    return found


def test_the_scan_finds_codes_of_every_package() -> None:
    codes = raised_codes()
    for code in ("case-not-found", "unknown-queue", "telephony-timeout", "sms-unavailable", "json-too-deep"):
        assert code in codes


def test_every_code_raised_has_a_status() -> None:
    missing = {code: where for code, where in raised_codes().items() if code not in STATUSES.codes}
    assert not missing, f"error codes without an HTTP status (state them in the owner's http_status.py): {missing}"


def test_an_unstated_code_has_no_status_and_two_statuses_for_one_code_are_refused() -> None:
    class Strange(DomainError):
        code = "strange-new-code"

    assert STATUSES.status_of(Strange("x")) is None
    with pytest.raises(ValueError, match="no-such"):
        StatusTable({"no-such": 404}, {"no-such": 409})
    assert StatusTable({"same": 404}, {"same": 404}).codes == {"same": 404}
