"""``sori doctor``, and the check ``sori up`` makes before it starts anything: each part of this machine
Sori uses, whether it is there and works, and the command that installs or fixes it.

A part is *required* when ``sori up`` as configured cannot do its job without it: Kamailio, espeak-ng and
sox with telephony on, SIPp for the demo's simulated callers, the Whisper model for transcription, the
Python packages, a reachable database, a writable state directory. ``sori up`` refuses to start when a
required program is missing (``refuse_to_start``: an ERROR naming the part and its install command, exit 2)
rather than run a demo whose callers silently never call. ``sori doctor`` exits 0 when every required part
is there, 1 otherwise.
"""

from __future__ import annotations

import glob
import importlib
import json
import logging
import os
import shutil
import stat
import sys
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from analytics.stt.models import model_problems
from sori.config import Settings
from sori.seed.petitions import BUNDLED_SAMPLE, demo_complaint_files

CANNOT_START = 2  # `sori up`'s exit status when a required part is missing


class Status(StrEnum):
    OK = "정상"
    MISSING = "없음"
    BROKEN = "문제"  # there, but unusable (unreachable, unknown schema, readable by others)
    NOTE = "주의"  # worth knowing; does not stop `sori up`


LEGEND = "정상 ok · 없음 missing · 문제 broken · 주의 warning; 필수 required, 선택 optional"


@dataclass(frozen=True)
class Check:
    part: str
    label: str  # Korean, what the part is for
    status: Status
    detail: str
    required: bool
    fix: str | None = None  # the command that installs or fixes it

    @property
    def blocking(self) -> bool:
        return self.required and self.status in (Status.MISSING, Status.BROKEN)


@dataclass(frozen=True)
class Program:
    part: str
    command: str
    package: str  # the Debian package that installs it
    label: str
    purpose: str  # English, for the log


PROGRAMS = {p.part: p for p in (
    Program("kamailio", "kamailio", "kamailio", "SIP 에지 (Kamailio)", "the SIP edge"),
    Program("espeak-ng", "espeak-ng", "espeak-ng", "안내 음성 합성 (espeak-ng)", "the IVR's Korean prompts"),
    Program("sox", "sox", "sox", "음성 파일 변환 (SoX)", "the IVR's prompts and hold music"),
    Program("sipp", "sipp", "sip-tester", "모의 발신자 (SIPp)", "the demo's simulated callers"),
    Program("baresip", "baresip", "baresip", "전화 걸어 보기용 소프트폰 (baresip)", "trying a call by hand"),
    Program("chromium", "chromium", "chromium", "브라우저 시험 (Chromium)", "the browser tests"),
    Program("chromedriver", "chromedriver", "chromium-driver", "브라우저 시험 드라이버", "the browser tests"),
)}  # fmt: skip

# Import names of the Python packages Sori runs on (pyproject.toml's dependencies).
MODULES = ("twisted", "sqlalchemy", "alembic", "psycopg", "pydantic", "pydantic_settings", "argon2", "holidays",
           "phonenumbers", "pjsua2", "kiwipiepy", "sklearn", "elasticsearch", "faster_whisper", "plotly", "dash",
           "tqdm")  # fmt: skip


def install(package: str) -> str:
    return f"apt-get install {package}"


def program_check(program: Program, required: bool, path: str | None = None, binary: Path | None = None) -> Check:
    """``program`` on ``path`` (default ``$PATH``), or at ``binary`` when the configuration names one."""
    if binary is not None and binary.is_absolute():
        found = str(binary) if binary.is_file() and os.access(binary, os.X_OK) else None
    else:
        found = shutil.which(str(binary or program.command), path=path)
    if found:
        return Check(program.part, program.label, Status.OK, found, required)
    where = str(binary) if binary is not None and binary.is_absolute() else f"{program.command} (PATH)"
    return Check(program.part, program.label, Status.MISSING, f"{where} 없음", required, install(program.package))


def up_checks(settings: Settings, simulate: bool, path: str | None = None) -> list[Check]:
    """The programs ``sori up`` runs, as configured (``simulate``: the demo's simulated callers)."""
    if not settings.telephony.enabled:
        return []
    return [
        program_check(PROGRAMS["kamailio"], True, path, binary=settings.edge.binary),
        program_check(PROGRAMS["espeak-ng"], True, path),
        program_check(PROGRAMS["sox"], True, path),
        program_check(PROGRAMS["sipp"], simulate, path),
        # Nothing Sori runs needs baresip (agents' phones are pjsua2): it is the README's softphone for a
        # first call by hand, so its absence is said but does not stop `sori up`.
        program_check(PROGRAMS["baresip"], False, path),
    ]


def refuse_to_start(settings: Settings, simulate: bool, log: logging.Logger, path: str | None = None) -> bool:
    """Log every missing program ``sori up`` would run (ERROR when required) with the command that installs
    it; True when ``sori up`` must not start."""
    checks = [c for c in up_checks(settings, simulate, path) if c.status is not Status.OK]
    if not simulate:
        checks = [c for c in checks if c.part != "sipp"]
    for check in checks:
        purpose = PROGRAMS[check.part].purpose
        level = logging.ERROR if check.blocking else logging.WARNING
        log.log(level, "missing part: %s (%s): %s; install it with: %s", check.part, purpose, check.detail,
                check.fix, extra={"part": check.part, "install": check.fix})  # fmt: skip
    blocking = [c.part for c in checks if c.blocking]
    if blocking:
        log.error("sori up cannot start without: %s (run `sori doctor` for every part, or ./dev up to install "
                  "them all)", ", ".join(blocking), extra={"missing": blocking})  # fmt: skip
    return bool(blocking)


def python_check() -> Check:
    failed = []
    for module in MODULES:
        try:
            importlib.import_module(module)
        except Exception as error:  # an ImportError, or a native library that fails to load
            failed.append(f"{module} ({type(error).__name__}: {error})")
    if failed:
        return Check("python", "파이썬 패키지", Status.MISSING, "불러올 수 없음: " + "; ".join(failed), True,
                     f"{sys.executable} -m pip install -e . (./dev up)")  # fmt: skip
    return Check("python", "파이썬 패키지", Status.OK, f"{len(MODULES)}개 모두 불러옴 ({sys.executable})", True)


def postgres_check() -> Check:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Check("postgresql", "PostgreSQL 서버 (시험용)", Status.OK, str(Path(found[-1]).parent), False)
    return Check("postgresql", "PostgreSQL 서버 (시험용)", Status.MISSING, "/usr/lib/postgresql/*/bin/initdb 없음",
                 False, install("postgresql"))  # fmt: skip


def whisper_check(settings: Settings) -> Check:
    directory = settings.analytics.whisper_model_dir or settings.state_dir / "models" / "whisper-base"
    required = settings.telephony.enabled and settings.analytics.transcribe_calls
    problems = model_problems(directory)
    if problems:
        return Check("whisper", "통화 받아쓰기 모델 (Whisper)", Status.MISSING, "; ".join(problems), required,
                     f"sori analytics setup-models --state-dir {settings.state_dir}")  # fmt: skip
    return Check("whisper", "통화 받아쓰기 모델 (Whisper)", Status.OK, str(directory), required)


def database_check(settings: Settings) -> Check:
    # deferred: heavy (alembic, sqlalchemy: ~0.8 s), and `sori doctor` must run to report them missing
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from crm.store import migrate

    label = "데이터베이스 (연결, 스키마)"
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and not Path(url.database or ":memory:").exists():
        return Check("database", label, Status.NOTE, f"{shown}: 아직 없음 (sori up이 만들고 최신 스키마로 올립니다)",
                     True, f"sori db upgrade --state-dir {settings.state_dir}")  # fmt: skip
    # A probe, not the system's engine (``sori.wiring``): no pool, a connect timeout, and it must not create
    # an SQLite file or a key as ``build_system`` would.
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        current = migrate.current_revision(engine)
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Check("database", label, Status.BROKEN, f"{shown}: 연결 실패: {reason}", True,
                     "database.url(SORI_DATABASE__URL)과 데이터베이스 서버를 확인하세요")  # fmt: skip
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if current == head:
        return Check("database", label, Status.OK, f"{shown}, 스키마 {head} (최신)", True)
    known = {r.revision for r in ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).walk_revisions()}
    if current is None or current in known:
        behind = f"{shown}, 스키마 {current or '없음'} → {head} (sori up이 올립니다)"
        return Check("database", label, Status.NOTE, behind, True, f"sori db upgrade --state-dir {settings.state_dir}")
    return Check("database", label, Status.BROKEN, f"{shown}, 스키마 {current}: 이 Sori가 모르는 버전 (더 새 Sori?)",
                 True, "이 데이터베이스를 만든 버전의 Sori를 쓰세요")  # fmt: skip


def demo_data_check(settings: Settings, demo: bool) -> Check:
    label = "데모 민원 글 (청와대 국민청원)"
    found = demo_complaint_files(settings.analytics.demo_files)
    if found.origin == "bundled" and not BUNDLED_SAMPLE.is_file():
        return Check("demo-data", label, Status.MISSING, f"{BUNDLED_SAMPLE} 없음 (패키지가 불완전)", demo,
                     f"{sys.executable} -m pip install -e .")  # fmt: skip
    detail = {
        "configured": f"analytics.demo_files {len(found.files)}개",
        "none": "analytics.demo_files = [] (데모 민원 글 없음)",
        "shared": f"../shared/data의 청원 파일 {len(found.files)}개",
        "bundled": f"../shared/data 없음: 내장 표본 사용 ({BUNDLED_SAMPLE.name}, 1,600건, CC0)",
    }[found.origin]
    if found.missing:
        return Check("demo-data", label, Status.NOTE, f"{detail}; 설정된 파일 없음: "
                     + ", ".join(map(str, found.missing)), demo)  # fmt: skip
    return Check("demo-data", label, Status.OK, detail, demo)


def state_dir_check(settings: Settings) -> Check:
    """Writable, and not open to other users: it holds the database, keys, recordings and transcripts."""
    label = "상태 디렉터리 (DB, 키, 녹음)"
    folder = settings.state_dir
    if not folder.exists():
        parent = next(p for p in folder.parents if p.exists())
        if os.access(parent, os.W_OK | os.X_OK):
            return Check("state-dir", label, Status.OK, f"{folder}: 아직 없음 (sori up이 0700으로 만듭니다)", True)
        return Check("state-dir", label, Status.BROKEN, f"{parent}에 쓸 수 없음", True,
                     f"mkdir -p {folder} && chmod 700 {folder} (그 사용자로)")  # fmt: skip
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return Check("state-dir", label, Status.BROKEN, f"{folder}: 쓸 수 있는 디렉터리가 아님", True,
                     f"chown -R $(id -un) {folder} && chmod 700 {folder}")  # fmt: skip
    mode = stat.S_IMODE(folder.stat().st_mode)
    if not mode & 0o077:
        return Check("state-dir", label, Status.OK, f"{folder} ({mode:04o})", True)
    # Others may enter the directory: whatever inside is readable by them is exposed.
    exposed = [p for p in _sensitive(folder) if stat.S_IMODE(p.stat().st_mode) & 0o044]
    if exposed:
        return Check("state-dir", label, Status.BROKEN, f"{folder} ({mode:04o}): 다른 사용자가 읽을 수 있음: "
                     + ", ".join(str(p.relative_to(folder)) for p in exposed[:5]), True,
                     f"chmod -R go-rwx {folder}")  # fmt: skip
    return Check("state-dir", label, Status.NOTE, f"{folder} ({mode:04o}): 다른 사용자가 들어올 수 있음", True,
                 f"chmod 700 {folder}")  # fmt: skip


def _sensitive(folder: Path) -> list[Path]:
    """The state directory's entries and the key files: what must never be readable by others."""
    entries = [p for p in folder.iterdir() if not p.is_symlink()]
    secrets = folder / "secrets"
    if secrets.is_dir():
        entries += [p for p in secrets.iterdir() if not p.is_symlink()]
    return entries


def doctor_checks(settings: Settings, demo: bool = False, path: str | None = None) -> list[Check]:
    """Every part, in the order a reader fixes them."""
    simulate = demo and settings.telephony.enabled
    checks = [python_check(), *up_checks(settings, simulate, path)]
    if not settings.telephony.enabled:
        checks += [program_check(PROGRAMS[name], False, path) for name in ("kamailio", "espeak-ng", "sox", "sipp")]
    checks += [whisper_check(settings), database_check(settings), state_dir_check(settings),
               demo_data_check(settings, demo), program_check(PROGRAMS["chromium"], False, path),
               program_check(PROGRAMS["chromedriver"], False, path), postgres_check()]  # fmt: skip
    return checks


def render(checks: list[Check]) -> str:
    lines = [f"Sori 점검 (sori doctor) — {LEGEND}", ""]
    for check in checks:
        need = "필수" if check.required else "선택"
        lines.append(f"[{check.status}] {need}  {check.part:<12} {check.label}: {check.detail}")
        if check.fix and check.status is not Status.OK:
            lines.append(f"{'':>22}→ {check.fix}")
    blocking = [c.part for c in checks if c.blocking]
    lines.append("")
    if blocking:
        lines.append(f"결과: 필수 항목 {len(blocking)}개가 없거나 문제입니다 (not ok): {', '.join(blocking)}")
    else:
        lines.append("결과: sori up에 필요한 것이 모두 있습니다 (ok)")
    return "\n".join(lines)


def run_doctor(settings: Settings, demo: bool = False, as_json: bool = False) -> int:
    checks = doctor_checks(settings, demo)
    if as_json:
        rows = [{**asdict(c), "status": c.status.name.lower(), "blocking": c.blocking} for c in checks]
        print(json.dumps({"ok": not any(c.blocking for c in checks), "parts": rows}, ensure_ascii=False, indent=1))
    else:
        print(render(checks))
    return 1 if any(c.blocking for c in checks) else 0
