"""The directions packages depend in hold: the import contracts of pyproject.toml (import-linter), and the
picture of them in docs/architecture.md is the one the code gives."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.package_graph import ROOT, documented, mermaid

LINT = str(Path(sys.executable).with_name("lint-imports"))


def test_the_import_contracts_hold() -> None:
    done = subprocess.run([LINT, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout


def test_the_domain_contract_names_every_domain_package_of_the_case_store() -> None:
    """A new crm package is domain (no framework) unless it is one of the adapters."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    domain = next(c for c in config["contracts"] if c["name"].startswith("The domain imports no framework"))
    adapters = {"crm.store", "crm.api", "crm.door"}
    found = {
        f"crm.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "crm").iterdir()
        if (path.is_dir() and (path / "__init__.py").exists()) or (path.suffix == ".py" and path.stem != "__init__")
    }
    assert found - adapters <= set(domain["source_modules"]), sorted(found - adapters - set(domain["source_modules"]))


def test_a_broken_direction_is_reported(tmp_path: Path) -> None:
    """The contracts can fail: a kernel module importing the case store breaks the first of them."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["kernel", "crm"]\n\n[[tool.importlinter.contracts]]\n'
        'name = "crm may not import kernel (made up: the real rule is the reverse)"\ntype = "forbidden"\n'
        'source_modules = ["crm"]\nforbidden_modules = ["kernel"]\n',
        encoding="utf-8",
    )
    done = subprocess.run([LINT, "--no-cache", "--config", str(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode != 0 and "BROKEN" in done.stdout


def test_the_architecture_document_shows_the_package_graph_of_the_code() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert documented(text) == mermaid(), "regenerate it: .venv/bin/python -m tests.support.package_graph"
