"""Prompt synthesis with the real espeak-ng and sox: telephony WAV format, audible, cached."""

from __future__ import annotations

import array
import math
import subprocess
import wave
from pathlib import Path

import pytest

from telephony.ivr.actions import Phrase
from telephony.ivr.errors import PromptToolMissing
from telephony.ivr.model import PromptSpec
from telephony.ivr.phrases import QueueWait, queue_wait
from telephony.ivr.prompts import PromptLibrary

pytestmark = pytest.mark.integration

SENTENCE = "안녕하십니까, 국세상담센터입니다. 상담 내용은 정확한 상담을 위해 녹음됩니다."


def read_wav(path: Path) -> tuple[int, int, int, float, float]:
    """(rate, channels, sample width, seconds, RMS of the samples as a fraction of full scale)."""
    with wave.open(str(path), "rb") as handle:
        frames = handle.readframes(handle.getnframes())
        samples = array.array("h", frames)
        rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples))) / 32768
        seconds = handle.getnframes() / handle.getframerate()
        return handle.getframerate(), handle.getnchannels(), handle.getsampwidth(), seconds, rms


def test_synthesised_korean_prompt_is_telephony_wav(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path / "cache")
    path = library.wav(PromptSpec(SENTENCE), 8000)
    rate, channels, width, seconds, rms = read_wav(path)
    assert (rate, channels, width) == (8000, 1, 2)
    assert 2.0 < seconds < 15.0, seconds
    assert rms > 0.01, rms
    info = subprocess.run(["sox", "--i", "-r", str(path)], capture_output=True, text=True, check=True)
    assert info.stdout.strip() == "8000"
    wide = library.wav(PromptSpec(SENTENCE), 16000)
    assert read_wav(wide)[:3] == (16000, 1, 2)


def test_second_request_hits_the_cache(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path / "cache")
    first = library.synthesise(SENTENCE)
    runs, mtime = library.processes_run, first.stat().st_mtime_ns
    again = PromptLibrary(tmp_path / "cache")  # a new worker sharing the cache directory
    assert again.synthesise(SENTENCE) == first and again.processes_run == 0
    assert library.wav(PromptSpec(SENTENCE), 16000).exists() and library.processes_run == runs
    assert first.stat().st_mtime_ns == mtime
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_dynamic_phrase_and_other_voice_settings_are_cached_separately(tmp_path: Path) -> None:
    phrase = Phrase(queue_wait(QueueWait(3, 110)))
    slow = PromptLibrary(tmp_path, rate=120).wav(phrase)
    fast = PromptLibrary(tmp_path, rate=200).wav(phrase)
    assert slow != fast
    assert read_wav(slow)[3] > read_wav(fast)[3]


def test_recorded_prompt_is_converted_not_synthesised(tmp_path: Path) -> None:
    recording = tmp_path / "greeting.wav"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(recording), "synth", "1.5", "sine", "440"], check=True)
    library = PromptLibrary(tmp_path / "cache", espeak="/nonexistent/espeak-ng")
    path = library.wav(PromptSpec("", recording), 8000)
    rate, channels, width, seconds, rms = read_wav(path)
    assert (rate, channels, width) == (8000, 1, 2) and abs(seconds - 1.5) < 0.05 and rms > 0.1


def test_missing_tools_are_named(tmp_path: Path) -> None:
    with pytest.raises(PromptToolMissing) as caught:
        PromptLibrary(tmp_path, espeak="/nonexistent/espeak-ng").synthesise("안녕하십니까")
    assert caught.value.code == "ivr-prompt-tool-missing" and "espeak-ng" in caught.value.message
    with pytest.raises(PromptToolMissing) as caught:
        PromptLibrary(tmp_path, sox="/nonexistent/sox").synthesise("안녕하십니까")
    assert "sox" in caught.value.message
