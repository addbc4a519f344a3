"""Dependencies point inward: the domain under crm/ imports no framework, database, telephony or search library."""

from __future__ import annotations

import ast
from pathlib import Path

import crm

CRM = Path(crm.__file__).parent
ADAPTERS = ("store", "api")  # crm/store (SQLAlchemy) and crm/api (HTTP) are the adapters
FORBIDDEN = frozenset({"twisted", "sqlalchemy", "alembic", "pjsua2", "dash", "elasticsearch"})


def domain_modules() -> list[Path]:
    return sorted(path for path in CRM.rglob("*.py") if path.relative_to(CRM).parts[0] not in ADAPTERS)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute module an import statement names, wherever it sits (top level, function, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # 'from crm import store' names crm.store: record module.name for each imported name
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def test_the_walk_finds_the_domain() -> None:
    names = {path.relative_to(CRM).as_posix() for path in domain_modules()}
    assert {"cases/status.py", "cases/continuity.py", "access/policy.py"} <= names
    assert not any(name.startswith(("store/", "api/")) for name in names)


def test_import_finder_sees_nested_and_from_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom twisted.internet import reactor\nfrom crm import store, errors\n"
        "def f():\n    import sqlalchemy.orm as orm\n    from . import sibling\n",
        encoding="utf-8",
    )
    assert sorted(imported_modules(sample)) == [
        (1, "os"),
        (2, "twisted.internet.reactor"),
        (3, "crm.errors"),
        (3, "crm.store"),
        (5, "sqlalchemy.orm"),
    ]


def test_domain_imports_no_infrastructure() -> None:
    offenders = [
        f"{path.relative_to(CRM.parent)}:{line}: imports {name}"
        for path in domain_modules()
        for line, name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == [], "domain modules import infrastructure:\n" + "\n".join(offenders)


def test_domain_does_not_import_its_adapters() -> None:
    offenders = [
        f"{path.relative_to(CRM.parent)}:{line}: imports {name}"
        for path in domain_modules()
        for line, name in imported_modules(path)
        if name.split(".")[:2] in (["crm", "store"], ["crm", "api"])
    ]
    assert offenders == [], "domain modules import adapters:\n" + "\n".join(offenders)


def test_telephony_domain_imports_no_infrastructure() -> None:
    """The ACD and the IVR interpreter are plain Python too; only their adapters may reach outside."""
    root = CRM.parent / "telephony"
    domain = sorted((root / "acd").rglob("*.py")) + sorted(
        p for p in (root / "ivr").rglob("*.py") if p.name != "prompts.py"
    )
    assert len(domain) > 10
    offenders = [
        f"{path.relative_to(root.parent)}:{line}: imports {name}"
        for path in domain
        for line, name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN or name.startswith(("crm.store", "crm.api", "telephony.media"))
    ]
    assert offenders == []


def test_the_dashboards_reach_data_only_through_their_ports() -> None:
    """``dashboard/`` draws and gates; the case store and the index reach it through ``dashboard.ports``."""
    import dashboard

    root = Path(dashboard.__file__).parent
    banned = ("sqlalchemy", "alembic", "elasticsearch", "twisted", "pjsua2", "crm.store", "crm.api",
              "analytics.search.sqlite_index", "analytics.search.es_index", "sori")  # fmt: skip
    offenders = [
        f"{path.relative_to(root.parent)}:{line}: imports {name}"
        for path in sorted(root.rglob("*.py"))
        for line, name in imported_modules(path)
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]
    assert offenders == []
