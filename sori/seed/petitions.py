"""The demo's text complaints: the shared 청와대 petitions when ``../shared/data`` is beside the repository,
else the CC0 sample bundled with the package (``PETITIONS.md`` says where it comes from and how it was drawn),
so the analyst dashboard shows real Korean complaints on a fresh clone too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BUNDLED_SAMPLE = Path(__file__).with_name("petitions_sample.jsonl.gz")
SHARED_PATTERN = "bluehouse_petitions_*.jsonl.gz"


def shared_data_dir() -> Path:
    """``../shared/data`` beside the repository this package runs from (absent for an installed package)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


@dataclass(frozen=True)
class DemoComplaints:
    files: tuple[Path, ...]  # what ``sori up --demo`` indexes
    origin: str  # "configured", "shared", "bundled" or "none"
    missing: tuple[Path, ...] = ()  # configured files that do not exist


def demo_complaint_files(configured: Sequence[Path] | None, shared_dir: Path | None = None) -> DemoComplaints:
    """The configured files (``analytics.demo_files``) that exist; when none is configured (None) or none of
    them exists, the shared petitions; without those, the bundled sample. An empty list means none at all."""
    if configured is not None and not configured:
        return DemoComplaints((), "none")
    configured = configured or ()
    present = tuple(path.absolute() for path in configured if path.is_file())
    missing = tuple(path for path in configured if not path.is_file())
    if present:
        return DemoComplaints(present, "configured", missing)
    folder = shared_data_dir() if shared_dir is None else shared_dir
    shared = tuple(sorted(path.absolute() for path in folder.glob(SHARED_PATTERN))) if folder.is_dir() else ()
    if shared:
        return DemoComplaints(shared, "shared", missing)
    return DemoComplaints((BUNDLED_SAMPLE,), "bundled", missing)
