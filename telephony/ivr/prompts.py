"""Prompt audio: recorded files where a center provides them, else espeak-ng (Korean) through sox.

Every prompt becomes a WAV, mono, 16-bit, at 8 kHz (G.711 legs) and 16 kHz (wideband legs),
cached under a directory the caller passes (never the repository) by a hash of (text, voice,
rate) — or of the recording's bytes. Writes go to a temporary file in the cache directory and are
renamed into place, so a worker never plays a half-written file and concurrent workers can share
one cache.

Dynamic phrases (amounts, dates, case numbers) are synthesised as one WAV per phrase rather than
assembled from cached snippets of numbers: spliced snippets lose Korean sentence prosody and the
particles around numbers (원이며, 분입니다), and espeak-ng makes a phrase in tens of milliseconds.
The cache still pays off because the same phrases recur (queue waits, common amounts).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from telephony.ivr import enrolment
from telephony.ivr import pin as pins
from telephony.ivr.actions import Phrase, PromptPart
from telephony.ivr.errors import PromptSynthesisFailed, PromptToolMissing
from telephony.ivr.model import Flow, PromptSpec

SAMPLE_RATES = (8000, 16000)


class PromptLibrary:
    """Turns prompt parts into WAV files at a given sample rate; counts the processes it starts."""

    def __init__(
        self, cache_dir: Path, *, voice: str = "ko", rate: int = 160, espeak: str = "espeak-ng", sox: str = "sox"
    ) -> None:
        self.cache_dir = cache_dir
        self.voice = voice
        self.rate = rate
        self._espeak = espeak
        self._sox = sox
        self.processes_run = 0

    def wav(self, part: PromptPart, sample_rate: int = 8000) -> Path:
        """The cached WAV of ``part`` at ``sample_rate``, made now if missing."""
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"sample rate {sample_rate}: use one of {SAMPLE_RATES}")
        if isinstance(part, Phrase):
            return self.synthesise(part.text, sample_rate)
        if part.file is not None:
            return self.recorded(part.file, sample_rate)
        return self.synthesise(part.text, sample_rate)

    def synthesise(self, text: str, sample_rate: int = 8000) -> Path:
        """``text`` spoken by espeak-ng, converted for telephony; both sample rates are made at once."""
        key = _digest(f"tts\0{self.voice}\0{self.rate}\0{text}".encode())
        target = self._path(key, sample_rate)
        if target.exists():
            return target
        espeak = self._tool(self._espeak, "espeak-ng")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache_dir, prefix=".tts-") as work:
            raw = Path(work) / "raw.wav"
            self._run([espeak, "-v", self.voice, "-s", str(self.rate), "-w", str(raw), "--stdin"], text)
            self._convert_all(raw, key)
        return target

    def recorded(self, source: Path, sample_rate: int = 8000) -> Path:
        """A center's recording converted to telephony format (any format sox reads)."""
        if not source.is_file():
            raise PromptSynthesisFailed(f"recorded prompt {source} does not exist", file=str(source))
        key = _digest(b"file\0" + source.read_bytes())
        target = self._path(key, sample_rate)
        if not target.exists():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._convert_all(source, key)
        return target

    def _convert_all(self, source: Path, key: str) -> None:
        sox = self._tool(self._sox, "sox")
        for rate in SAMPLE_RATES:
            target = self._path(key, rate)
            fd, temp_name = tempfile.mkstemp(dir=self.cache_dir, prefix=".part-", suffix=".wav")
            os.close(fd)
            try:
                self._run([sox, str(source), "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed-integer", temp_name])
                os.replace(temp_name, target)
            finally:
                Path(temp_name).unlink(missing_ok=True)

    def _path(self, key: str, sample_rate: int) -> Path:
        return self.cache_dir / f"{key}-{sample_rate // 1000}k.wav"

    def hold_music(self, sample_rate: int = 8000) -> Path:
        """A quiet plucked chime and a pause, looped for callers waiting in a queue (sox; cached)."""
        target = self.cache_dir / f"hold-music-{sample_rate // 1000}k.wav"
        if target.exists():
            return target
        sox = self._tool(self._sox, "sox")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(suffix=".wav", dir=self.cache_dir)
        os.close(fd)
        self._run([sox, "-q", "-n", "-r", str(sample_rate), "-c", "1", "-b", "16", temporary,
                   "synth", "1.2", "pluck", "C5", "vol", "0.25", "pad", "0", "1.8"])  # fmt: skip
        os.replace(temporary, target)
        return target

    def _tool(self, command: str, name: str) -> str:
        found = shutil.which(command)
        if found is None:
            raise PromptToolMissing(
                f"{name} is not installed (looked for '{command}'): install the Debian package '{name}'", tool=name
            )
        return found

    def _run(self, argv: list[str], stdin: str | None = None) -> None:
        self.processes_run += 1
        result = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise PromptSynthesisFailed(
                f"{Path(argv[0]).name} failed with exit code {result.returncode}: {result.stderr.strip()[:500]}",
                argv=argv,
            )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def static_prompts(flow: object) -> list[PromptSpec]:
    """Every fixed prompt of a flow (menus, notices, retries, hours…), to synthesise before the first call."""
    found: dict[tuple[str, object], PromptSpec] = {}

    def walk(value: object) -> None:
        if isinstance(value, PromptSpec):
            found.setdefault((value.text, value.file), value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                walk(getattr(value, item.name))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)

    walk(flow)
    if isinstance(flow, Flow):  # what the session itself may say: the PIN's prompts, its enrolment's
        walk((pins.PROMPTS, enrolment.PROMPTS))
    return list(found.values())
