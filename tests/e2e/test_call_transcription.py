"""A real call is transcribed after it ends: a pjsua2 citizen dials 110 through the Kamailio edge, presses 0
for an agent, and reads two real Korean speech clips (``../shared/speech``) to the agent's softphone; the
media worker records the call, telephony queues the recording, and ``sori up``'s transcriber process puts
the transcript on the agent's contact of the case (CER at most 20%). The backlog is visible over HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from analytics.stt.normalize import cer
from tests.e2e.stack import running_stack
from tests.e2e.test_agent_calls import Api, agent_id, citizen_phone, eventually, query
from tests.support.phones import Softphone
from tests.support.postgres import free_port
from tests.support.shared import shared_dir
from tests.support.whisper import assembled_whisper_model

pytestmark = pytest.mark.e2e

CALLER_UA = Path(__file__).with_name("caller_ua.py")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = {
        "SORI_TELEPHONY__WRAPUP_S": "0",
        "SORI_ANALYTICS__TRANSCRIBE_CALLS": "true",
        "SORI_ANALYTICS__WHISPER_MODEL_DIR": str(assembled_whisper_model()),
        "SORI_ANALYTICS__TRANSCRIPTION_POLL_S": "0.5",
    }
    with running_stack(env, always_open=("ACRC110",)) as running:
        yield running


def speech(work: Path) -> tuple[Path, str]:
    """Two shared clips, 1 s apart, as one 16 kHz WAV; and what they say."""
    folder = shared_dir() / "speech"
    lines = (folder / "transcripts_zeroth_original.txt").read_text(encoding="utf-8").splitlines()
    references = dict(line.split(maxsplit=1) for line in lines if line)
    chosen = sorted(references)[2:4]
    parts = []
    for utterance in chosen:
        part = work / f"{utterance}.wav"
        subprocess.run(["sox", str(folder / "audio" / f"{utterance}.flac"), "-b", "16", str(part), "pad", "0", "1"],
                       check=True, capture_output=True)  # fmt: skip
        parts.append(str(part))
    clip = work / "citizen.wav"
    subprocess.run(["sox", *parts, str(clip)], check=True, capture_output=True)
    return clip, " ".join(references[u] for u in chosen)


def test_a_recorded_call_gets_its_transcript_on_the_case(stack: dict[str, Any], tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"  # the agent says nothing: what is transcribed is the citizen
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(silence), "trim", "0", "60"], check=True)
    clip, reference = speech(tmp_path)
    phone = Softphone(int(stack["sip"]), ["acrc.kim"], silence, tmp_path / "heard", passwords=stack["sip_passwords"])
    try:
        phone.wait("registered", login="acrc.kim")
        kim = Api(stack, "acrc.kim")
        assert kim.state("ready")["state"] == "ready"
        caller = citizen_phone(stack, with_open_case=False)
        # the recording notice cannot be skipped; 0 for an agent after it; the agent answers about 14 s in,
        # and the citizen starts talking at 17 s
        citizen = subprocess.Popen(
            [sys.executable, str(CALLER_UA), "--edge", f"127.0.0.1:{stack['sip']}", "--to", "110", "--caller", caller,
             "--port", str(free_port()), "--keys", "0", "--keys-at", "9", "--play", str(clip), "--play-at", "17"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            def contact() -> Any:
                call = kim.get("/api/v1/telephony/agents/me")["call"]
                return call and call.get("interaction_id")

            interaction = eventually(contact, timeout=60, what="the agent's contact")
            citizen_id = eventually(lambda: query(stack, "SELECT citizen_id FROM interactions WHERE id = ?",
                                                  interaction), what="the contact in the store")[0][0]  # fmt: skip
            # a first-time caller: the agent opens the case on this contact while they talk
            case = kim.send("POST", "/api/v1/cases", {"citizen_id": citizen_id, "interaction_id": interaction,
                                                      "summary": "전화 상담"}, expect=201)  # fmt: skip
            out, err = citizen.communicate(timeout=180)
        finally:
            if citizen.poll() is None:
                citizen.kill()
                citizen.wait()
        events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert citizen.returncode == 0, (events, err[-2000:])
        kim_id = agent_id(stack, "acrc.kim")

        def transcribed() -> list[tuple[Any, ...]]:
            return query(stack, "SELECT i.transcript, i.case_id, i.recording_ref FROM interactions i WHERE "
                         "i.id = ? AND i.agent_id = ? AND i.transcript IS NOT NULL", interaction, kim_id)  # fmt: skip

        rows = eventually(transcribed, timeout=180, what="the transcript on the agent's contact")
        transcript, case_id, recording_ref = rows[0]
        assert case_id == case["id"] and recording_ref
        error = cer(reference, transcript)
        assert error <= 0.20, (error, transcript, reference)
        jobs = query(stack, "SELECT state, attempts FROM transcription_jobs WHERE recording_ref = ?", recording_ref)
        assert jobs == [("done", 1)]
        supervisor = Api(stack, "acrc.sup")
        backlog = supervisor.get("/api/v1/analytics/transcription")
        assert backlog["done"] >= 1 and backlog["failed"] == 0
        forbidden = requests.get(kim.base + "/api/v1/analytics/transcription", headers=kim.headers, timeout=10)
        assert forbidden.status_code == 403, "agents do not watch the transcription queue"
        kim.state("logged-out")
    finally:
        phone.stop()
