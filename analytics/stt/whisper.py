"""The ``SpeechToText`` adapter on faster-whisper (CTranslate2, CPU, int8), loading a local model directory only.

The model is read from a directory (``sori analytics setup-models`` assembles the bundled Whisper base one;
``analytics.whisper_model_dir`` may point at any other CTranslate2 Whisper directory) and never from a hub:
the directory and its ``tokenizer.json`` are checked before faster-whisper sees them (given a name, or a
directory without a tokenizer, it would download one), and ``local_files_only`` is set.

Defaults are what measured best on the shared Korean clips (``bench/transcribe.py``): beam 5, language
``ko``, 2 CPU threads. Non-speech must give no text, never a guess: hold music, tones, noise and silence
are what a call recording holds between the words, and Whisper, given them alone, writes a plausible
sentence ("이 노래는", "어?" over a plucked melody). So the voice-activity filter is on (Silero VAD, which
faster-whisper carries inside its wheel and runs with onnxruntime, offline): only stretches it hears as
speech reach the model (it costs the G.711 clips about 1.4 points of CER). Then each segment the model
still writes is dropped when it looks like a guess: no-speech probability above ``NO_SPEECH_MAX``, mean
token log-probability below ``LOG_PROB_MIN`` or text compressing better than ``COMPRESSION_MAX`` (a
repetition loop). Each segment is decoded on its own (``condition_on_previous_text`` off), so a guess
never primes the next. A recording without speech gives an empty transcript.

Transcription must never starve the media workers, so the model runs at low CPU priority and with bounded
concurrency. On Linux the nice value belongs to each thread and new threads inherit it: the threads that
appear while CTranslate2 loads the model (its workers) are given ``nice``, and the compute threads they
start later inherit it, while the rest of the process keeps its priority. (Building the model in a
short-lived thread that lowers its own priority first would be simpler, but made every transcription
four to eight times slower here, for reasons inside CTranslate2 and its OpenMP runtime.)
At most ``workers`` recordings are decoded at once; more callers wait, and ``backlog`` / ``running``
show it. The caller's own thread decodes the audio (a few percent of the work): run ``transcribe`` from a
pool sized like ``workers``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from analytics.stt.models import model_problems
from analytics.stt.port import Segment, SpeechModelUnavailable, Transcript, TranscriptionFailed

SAMPLE_RATE = 16_000  # what Whisper listens at; recordings of any rate and coding are resampled on decode
NO_SPEECH_MAX = 0.6  # Whisper's own no-speech probability above which a segment is not speech
LOG_PROB_MIN = -1.0  # a segment decoded with less confidence than this (mean log-probability) is a guess
COMPRESSION_MAX = 2.4  # gzip ratio of a segment's text above which it is a repetition loop


class WhisperTranscriber:
    """faster-whisper behind ``SpeechToText``. Loads the model once (on ``load`` or the first ``transcribe``);
    safe to call from several threads."""

    def __init__(self, model_dir: Path, *, cpu_threads: int = 2, workers: int = 1, beam_size: int = 5,
                 language: str = "ko", vad_filter: bool = True, nice: int = 10) -> None:
        if cpu_threads < 1 or workers < 1 or beam_size < 1:
            raise ValueError("cpu_threads, workers and beam_size must be at least 1")
        self.model_dir = model_dir
        self.cpu_threads = cpu_threads
        self.workers = workers
        self.beam_size = beam_size
        self.language = language
        self.vad_filter = vad_filter
        self.nice = nice
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers)
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._running = 0

    @property
    def backlog(self) -> int:
        """Recordings handed to ``transcribe`` and waiting for a free worker."""
        with self._count_lock:
            return self._waiting

    @property
    def running(self) -> int:
        """Recordings being transcribed now (at most ``workers``)."""
        with self._count_lock:
            return self._running

    def load(self) -> None:
        """Load the model if it is not loaded yet; SpeechModelUnavailable naming the directory if it cannot."""
        with self._load_lock:
            if self._model is None:
                self._model = self._build()

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript:
        if not path.is_file():
            raise TranscriptionFailed(f"no recording at {path}", path=str(path))
        self.load()
        with self._count_lock:
            self._waiting += 1
        try:
            self._slots.acquire()
        finally:
            with self._count_lock:
                self._waiting -= 1
        try:
            with self._count_lock:
                self._running += 1
            return self._transcribe(path, start, end)
        finally:
            with self._count_lock:
                self._running -= 1
            self._slots.release()

    def _transcribe(self, path: Path, start: float, end: float | None) -> Transcript:
        from faster_whisper.audio import decode_audio  # deferred: heavy (faster-whisper, ctranslate2)

        try:
            audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
        except Exception as error:  # PyAV raises its own errors (InvalidDataError, …) for unreadable input
            raise TranscriptionFailed(f"cannot decode {path}: {error}", path=str(path)) from error
        first = max(0, int(start * SAMPLE_RATE))
        audio = audio[first : None if end is None else max(first, int(end * SAMPLE_RATE))]
        if len(audio) == 0:
            return Transcript(text="", language=self.language, duration=0.0, segments=())
        found, info = self._model.transcribe(
            audio, language=self.language, beam_size=self.beam_size, vad_filter=self.vad_filter,
            no_speech_threshold=NO_SPEECH_MAX, log_prob_threshold=LOG_PROB_MIN,
            compression_ratio_threshold=COMPRESSION_MAX, condition_on_previous_text=False)
        offset = first / SAMPLE_RATE
        segments = tuple(Segment(round(s.start + offset, 2), round(s.end + offset, 2), s.text.strip())
                         for s in found if is_speech(s))  # fmt: skip
        segments = tuple(s for s in segments if s.text)
        return Transcript(text=" ".join(s.text for s in segments), language=str(info.language),
                          duration=round(float(info.duration), 3), segments=segments)

    def _build(self) -> Any:
        problems = model_problems(self.model_dir)
        if problems:
            raise SpeechModelUnavailable(
                f"the Whisper model directory {self.model_dir} is not usable: {'; '.join(problems)}. "
                "Run `sori analytics setup-models`, or point analytics.whisper_model_dir at a CTranslate2 "
                "Whisper directory", directory=str(self.model_dir), problems=problems)
        from faster_whisper import WhisperModel  # deferred: heavy (faster-whisper, ctranslate2)

        before = _threads()
        try:
            model = WhisperModel(str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.cpu_threads,
                                 num_workers=self.workers, local_files_only=True)
        except Exception as error:  # CTranslate2 raises RuntimeError or ValueError on a model it cannot read
            raise SpeechModelUnavailable(f"CTranslate2 cannot load the Whisper model in {self.model_dir}: {error}",
                                         directory=str(self.model_dir)) from error
        if self.nice > 0:
            for thread in _threads() - before:
                _lower_priority(thread, self.nice)
        return model


def is_speech(segment: Any) -> bool:
    """Whether a decoded segment is taken as speech: faster-whisper drops a window only when it is both
    likely silent *and* decoded without confidence; a segment failing either test is dropped here."""
    return bool(
        segment.no_speech_prob <= NO_SPEECH_MAX
        and segment.avg_logprob >= LOG_PROB_MIN
        and segment.compression_ratio <= COMPRESSION_MAX
    )


def _threads() -> set[int]:
    """The process's threads (Linux); empty where /proc is not available, and then nothing is reniced."""
    try:
        return {int(task) for task in os.listdir("/proc/self/task")}
    except OSError:
        return set()


def _lower_priority(thread: int, nice: int) -> None:
    with contextlib.suppress(OSError):  # the thread has ended meanwhile
        # setpriority sets an absolute value: never raise the priority of a thread that is already nicer
        os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), min(19, nice)))
