"""Post-call transcription: real-time factor, character error rate clean and after G.711, peak memory.

    .venv/bin/python -m bench.transcribe            # 15 clips clean + telephone, VAD off and on (~3 min on 2 cores)
    .venv/bin/python -m bench.transcribe --quick    # 10 clips, the adapter's defaults only (~1 min)

The shared Korean clips (``../shared/speech``: one speaker reading, CC BY 4.0) go through the real adapter,
``analytics.stt.whisper.WhisperTranscriber`` (faster-whisper, CTranslate2 int8 on the CPU), on the bundled
Whisper base model that ``sori analytics setup-models`` assembles (here into a cache in the temporary
directory; ``--model-dir`` for another CTranslate2 Whisper directory). Each set is run twice per
configuration: clean 16 kHz FLAC, and the G.711 A-law 8 kHz renderings in ``telephone/``. CER is
aggregated over the 10 clips with a reference (all edits over all reference characters, after
``analytics.stt.normalize.for_scoring``: digits as Hangul, no spaces or punctuation); the real-time factor
(processing seconds per second of audio) over every clip, the 5 untranscribed ones too, after one
warm-up transcription. The baseline in the same process is decoding the audio alone.

The measurement runs in a child process that imports only the transcription code, so its peak resident
memory (``VmHWM``) is that of a transcription worker, not of this script. ``--nice 0`` by default: a
benchmark measures speed; the adapter's default (10) only matters when something else wants the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CLEAN_TARGET = 0.11
TELEPHONE_TARGET = 0.15


def status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmHWM: peak resident, VmRSS: resident now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def clips(speech: Path) -> list[tuple[str, str | None]]:
    """(utterance, reference or None) for every clip of the shared speech folder, in manifest order."""
    references = {}
    for line in (speech / "transcripts_zeroth_original.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            utterance, text = line.split(maxsplit=1)
            references[utterance] = text
    found = []
    for line in (speech / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        utterance = Path(line.split("\t")[0]).stem
        found.append((utterance, references.get(utterance)))
    return found


def audio_path(speech: Path, utterance: str, reference: str | None, channel: str) -> Path:
    if channel == "telephone":
        return speech / "telephone" / f"{utterance}.alaw8k.wav"
    return speech / ("audio" if reference is not None else "audio_untranscribed") / f"{utterance}.flac"


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The child's work: load once, warm up, then every configuration and channel."""
    from faster_whisper.audio import decode_audio

    from analytics.stt.normalize import char_errors, corpus_cer
    from analytics.stt.whisper import SAMPLE_RATE, WhisperTranscriber

    speech = Path(args.speech)
    selected = [c for c in clips(speech) if c[1] is not None or not args.quick]
    rss_before = status_kib("VmRSS")
    started = time.perf_counter()
    stt = WhisperTranscriber(Path(args.model_dir), cpu_threads=args.threads, beam_size=args.beam, nice=args.nice)
    stt.load()
    load_s = time.perf_counter() - started
    rss_loaded = status_kib("VmRSS")
    print(f"model loaded in {load_s:.2f} s; resident {rss_before / 1024:.0f} MB before, "
          f"{rss_loaded / 1024:.0f} MB after", flush=True)
    stt.transcribe(audio_path(speech, *selected[0], "clean"))  # warm-up, not counted

    results: dict[str, Any] = {}
    for vad in args.vad:
        stt.vad_filter = vad == "on"
        for channel in ("clean", "telephone"):
            wall, cpu, audio, pairs, per_clip = 0.0, 0.0, 0.0, [], []
            for utterance, reference in selected:
                path = audio_path(speech, utterance, reference, channel)
                t0, c0 = time.perf_counter(), time.process_time()
                transcript = stt.transcribe(path)
                elapsed = time.perf_counter() - t0
                wall, cpu, audio = wall + elapsed, cpu + time.process_time() - c0, audio + transcript.duration
                per_clip.append(elapsed / transcript.duration)
                if reference is not None:
                    pairs.append((reference, transcript.text))
                    if args.verbose:
                        print(f"    {utterance} {char_errors(reference, transcript.text).rate:6.1%}  "
                              f"{transcript.text}", flush=True)
            rate = corpus_cer(pairs)
            figures = {"cer": round(rate, 4), "clips_scored": len(pairs), "clips_timed": len(selected),
                       "audio_s": round(audio, 2), "wall_s": round(wall, 2), "rtf": round(wall / audio, 4),
                       "rtf_median_clip": round(statistics.median(per_clip), 4),
                       "cores_busy": round(cpu / wall, 2)}
            results[f"vad_{vad}/{channel}"] = figures
            print(f"VAD {vad:3s} {channel:9s}  CER {rate:6.2%} ({len(pairs)} clips)   RTF {figures['rtf']:.3f} "
                  f"(median clip {figures['rtf_median_clip']:.3f})   {audio:5.1f} s of audio in {wall:5.1f} s, "
                  f"{figures['cores_busy']:.2f} cores busy", flush=True)

    t0 = time.perf_counter()
    audio = sum(len(decode_audio(str(audio_path(speech, u, r, "telephone")), sampling_rate=SAMPLE_RATE))
                for u, r in selected) / SAMPLE_RATE
    decode_rtf = (time.perf_counter() - t0) / audio
    print(f"baseline: decoding the telephone audio alone, RTF {decode_rtf:.4f}", flush=True)
    return {"load_s": round(load_s, 2), "rss_before_mb": round(rss_before / 1024, 1),
            "rss_loaded_mb": round(rss_loaded / 1024, 1), "peak_rss_mb": round(status_kib("VmHWM") / 1024, 1),
            "decode_only_rtf": round(decode_rtf, 4), "results": results}


def model_directory(args: argparse.Namespace) -> Path:
    if args.model_dir:
        return Path(args.model_dir)
    from analytics.stt.models import setup_models

    target = Path(tempfile.gettempdir()) / f"sori-bench-whisper-base-{os.getuid()}"
    if setup_models(target) != 0:
        raise SystemExit(1)
    return target


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.transcribe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", help="a CTranslate2 Whisper directory (default: the bundled model)")
    parser.add_argument("--speech", help="the shared speech folder (default: ../shared/speech)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of the model")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument("--vad", nargs="+", choices=["off", "on"], default=["off", "on"],
                        help="voice-activity filter settings to measure (the adapter's default: off)")
    parser.add_argument("--quick", action="store_true", help="the 10 transcribed clips, VAD off only")
    parser.add_argument("--verbose", action="store_true", help="print every transcript with its CER")
    parser.add_argument("--measure-into", help=argparse.SUPPRESS)  # the child process: write results here
    args = parser.parse_args(argv)
    if args.quick:
        args.vad = ["off"]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_into:
        Path(args.measure_into).write_text(json.dumps(measure(args)))
        return 0

    from bench.common import emit_json, header, machine, revision, say
    from tests.support.shared import shared_dir

    args.speech = args.speech or str(shared_dir() / "speech")
    info = machine()
    params = {k: v for k, v in vars(args).items() if k not in ("measure_into", "verbose")}
    header("post-call transcription", info, params)
    import ctranslate2
    import faster_whisper

    say(f"engine     faster-whisper {faster_whisper.__version__}, CTranslate2 {ctranslate2.__version__}, "
        f"cpu int8, {args.threads} threads, beam {args.beam}, language ko")
    args.model_dir = str(model_directory(args))
    with tempfile.TemporaryDirectory(prefix="sori-bench-stt-") as scratch:
        into = Path(scratch) / "results.json"
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("--measure-into")]
        child = [sys.executable, "-m", "bench.transcribe", *forwarded, "--model-dir", args.model_dir,
                 "--speech", args.speech, "--measure-into", str(into)]
        done = subprocess.run(child, cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if done.returncode != 0:
            say(f"the measuring process failed (exit {done.returncode})")
            return 1
        figures = json.loads(into.read_text())
    default = figures["results"].get("vad_off/clean"), figures["results"].get("vad_off/telephone")
    say(f"peak resident memory of the transcribing process {figures['peak_rss_mb']:.0f} MB "
        f"({figures['rss_before_mb']:.0f} MB before the model loaded)")
    if all(default):
        clean, telephone = default[0]["cer"], default[1]["cer"]
        say(f"adapter defaults (VAD off): CER clean {clean:.2%} (target <= {CLEAN_TARGET:.0%}: "
            f"{'met' if clean <= CLEAN_TARGET else 'MISSED'}), telephone {telephone:.2%} (target <= "
            f"{TELEPHONE_TARGET:.0%}: {'met' if telephone <= TELEPHONE_TARGET else 'MISSED'})")
    emit_json({"benchmark": "transcribe", "revision": revision(), "machine": vars(info), "params": params,
               **figures, "targets": {"clean_cer": CLEAN_TARGET, "telephone_cer": TELEPHONE_TARGET}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
