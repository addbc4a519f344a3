"""A simulated demo call sounds like a call: caller and agent take turns in real Korean telephone speech,
and the agent's contact gets a transcript within 25% character error rate of the clips they played.

The caller is the simulator's own SIPp scenario (``caller_scenario``, its track from ``prepare_voices``);
the agent is the product softphone taking turns (``--replies``), through ``sori up``'s edge, IVR, ACD,
media worker and transcriber. Before turn-taking both sides streamed a synthetic sentence in a loop over
each other, and the transcript was garbage.
"""

from __future__ import annotations

import array
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from analytics.stt.normalize import cer
from telephony.media.legs import wav_seconds
from telephony.sim import voices
from telephony.sim.plan import CenterLoad, agent_turn_s
from telephony.sim.service import caller_scenario, prepare_voices
from tests.e2e.stack import running_stack
from tests.e2e.test_agent_calls import Api, agent_id, citizen_phone, eventually, query
from tests.support.phones import Softphone
from tests.support.postgres import free_port
from tests.support.whisper import assembled_whisper_model

pytestmark = pytest.mark.e2e

NOTICE_S = 9.0  # the recording notice cannot be skipped; 0 for an agent after it


def peak(wav: Path, start: float, seconds: float) -> float:
    """The loudest sample (0..1) of ``wav`` between ``start`` and ``start + seconds``."""
    with wave.open(str(wav)) as audio:
        rate = audio.getframerate()
        audio.setpos(min(audio.getnframes(), int(start * rate)))
        frames = audio.readframes(int(seconds * rate))
    samples = array.array("h", frames)
    return max((abs(s) for s in samples), default=0) / 32768


def test_a_simulated_call_takes_turns_and_its_transcript_matches_the_clips(tmp_path: Path) -> None:
    conversation = voices.conversation()
    audio = prepare_voices(tmp_path / "voices", conversation)
    # the agent hangs up once the last reply has been said (the caller's track, then the agent's last turn)
    track = conversation.caller_track()
    talk_s = sum(silence + u.seconds for silence, u in track) + agent_turn_s(conversation.turns[-1].seconds)
    env = {
        "SORI_TELEPHONY__WRAPUP_S": "0",
        "SORI_ANALYTICS__TRANSCRIBE_CALLS": "true",
        "SORI_ANALYTICS__WHISPER_MODEL_DIR": str(assembled_whisper_model()),
        "SORI_ANALYTICS__TRANSCRIPTION_POLL_S": "0.5",
    }
    with running_stack(env, always_open=("ACRC110",)) as stack:
        phone = Softphone(int(str(stack["sip"])), ["acrc.kim"], audio.replies[0], tmp_path / "heard", talk_s=talk_s,
                          passwords=stack["sip_passwords"], replies=audio.replies)  # type: ignore[arg-type]
        try:
            phone.wait("registered", login="acrc.kim")
            kim = Api(stack, "acrc.kim")
            assert kim.state("ready")["state"] == "ready"
            caller = citizen_phone(stack, with_open_case=False)
            load = CenterLoad("ACRC110", "110", 1.0, "0")
            state = Path(str(stack["state"]))
            scenario = state / "demo-call.xml"
            script = caller_scenario(load, audio.caller, NOTICE_S, dropping=False)
            scenario.write_text(script.replace("[field0]", caller))  # the simulator takes it from a numbers file
            sipp = subprocess.run(
                ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-m", "1", "-i", "127.0.0.1",
                 "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "150s",
                 "-timeout_error", "-nostdin", "-trace_err", "-error_file", str(state / "demo-call.err")],
                cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180,
            )  # fmt: skip
            errors = (state / "demo-call.err").read_text() if (state / "demo-call.err").exists() else ""
            assert sipp.returncode == 0, errors[-3000:]
            replies = phone.wait("reply", login="acrc.kim", count=len(audio.replies))
            assert [r["reply"] for r in replies] == list(range(len(audio.replies)))
            # what the agent heard (the caller alone) is quiet while each reply plays: nobody talks over anybody
            heard = Path(phone.wait("ended", login="acrc.kim")[0]["recording"])
            for reply, path in zip(replies, audio.replies, strict=True):
                assert peak(heard, float(reply["at"]), wav_seconds(path)) < 0.02, (reply, replies)
            assert peak(heard, 0, float(replies[0]["at"])) > 0.1, "the caller spoke before the first reply"
            kim_id = agent_id(stack, "acrc.kim")

            def transcribed() -> list[tuple[Any, ...]]:
                return query(stack, "SELECT transcript, recording_ref FROM interactions WHERE agent_id = ? AND "
                             "transcript IS NOT NULL", kim_id)  # fmt: skip

            rows = eventually(transcribed, timeout=180, what="the transcript on the agent's contact")
            transcript, recording_ref = rows[0]
            error = cer(conversation.reference(), transcript)
            print(f"CER {error:.1%}: {transcript}")
            assert error <= 0.25, (error, transcript, conversation.reference())
            jobs = query(stack, "SELECT state FROM transcription_jobs WHERE recording_ref = ?", recording_ref)
            assert jobs == [("done",)]
            kim.state("logged-out")
        finally:
            phone.stop()
