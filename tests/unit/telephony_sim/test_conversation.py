"""The demo's calls take turns: the bundled voices and their script, the caller's track with room for each
reply, and the agent's turn-taking, which never talks over the caller whenever the agent picks up."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import pytest

from kernel.errors import ValidationFailed
from telephony.phones.turns import END_OF_TURN_S, SPEECH_LEVEL, TurnTaker
from telephony.sim import voices
from telephony.sim.plan import LEAD_IN_S, CenterLoad, Conversation, Utterance, agent_turn_s
from telephony.sim.service import PACKET_SAMPLES, TAIL_S, caller_scenario, prepare_voices

ATTRIBUTION = ("Zeroth-Korean corpus © Atlas Guide Inc. (Lucas Jo) and Gridspace Inc. (Wonkyum Lee),\n"
               "CC BY 4.0, https://www.openslr.org/40/")  # fmt: skip


def g711_seconds(path: Path) -> float:
    """Length of an 8 kHz G.711 WAV (one byte a sample) from its data chunk."""
    data = path.read_bytes()
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = data[offset : offset + 4], struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        if chunk == b"fmt ":
            tag, channels, rate = struct.unpack("<HHI", data[offset + 8 : offset + 16])
            assert (tag, channels, rate) == (6, 1, 8000), path  # A-law, mono, 8 kHz
        if chunk == b"data":
            return float(size) / 8000
        offset += 8 + size + (size & 1)
    raise AssertionError(f"no data chunk in {path}")


def test_the_bundled_voices_are_small_real_speech_with_their_script_and_attribution() -> None:
    conversation = voices.conversation()
    assert [t.speaker for t in conversation.turns] == ["caller", "agent", "caller", "agent"]
    files = [voices.clip_path(t) for t in conversation.turns]
    assert sum(f.stat().st_size for f in files) < 400_000
    for turn, path in zip(conversation.turns, files, strict=True):
        assert g711_seconds(path) == pytest.approx(turn.seconds, abs=0.01)
        assert turn.text and all("가" <= c <= "힣" or c == " " for c in turn.text), turn.text
    readme = (voices.FOLDER / "README.md").read_text(encoding="utf-8")
    assert ATTRIBUTION in readme and "derived" in readme
    assert conversation.reference().startswith(conversation.turns[0].text)


def test_a_conversation_alternates_and_starts_with_the_caller() -> None:
    caller, agent = Utterance("caller", "a.wav", 2.0, "가"), Utterance("agent", "b.wav", 3.0, "나")
    with pytest.raises(ValidationFailed):
        Conversation((agent, caller))
    with pytest.raises(ValidationFailed):
        Conversation((caller, caller))
    with pytest.raises(ValidationFailed):
        Conversation((Utterance("caller", "c.wav", 0.0, "다"),))


def test_the_callers_track_leaves_room_for_each_reply() -> None:
    conversation = voices.conversation()
    track = conversation.caller_track()
    replies = conversation.said_by("agent")
    assert [u for _, u in track] == list(conversation.said_by("caller"))
    assert track[0][0] == LEAD_IN_S
    for (silence, _), reply in zip(track[1:], replies, strict=False):
        assert silence == agent_turn_s(reply.seconds) > reply.seconds + END_OF_TURN_S


def _talk(conversation: Conversation, answer_at: float, pause_at: float = 0.5) -> list[tuple[float, float, str]]:
    """Simulate a call 20 ms at a time: the caller's track from 0 (each utterance loud but for a 0.4 s pause
    inside it), the agent picking up at ``answer_at``; who spoke when (caller spans heard by the agent)."""
    spans: list[tuple[float, float, str]] = []
    at = 0.0
    for silence, utterance in conversation.caller_track():
        at += silence
        spans.append((at, at + utterance.seconds, "caller"))
        at += utterance.seconds
    pauses = [(start + (end - start) * pause_at, start + (end - start) * pause_at + 0.4) for start, end, _ in spans]
    turns = TurnTaker([r.seconds for r in conversation.said_by("agent")])
    spoken: list[tuple[float, float, str]] = []
    for step in range(int((at + 60) / 0.02)):
        now = step * 0.02
        if now < answer_at:
            continue
        loud = any(s <= now < e for s, e, _ in spans) and not any(s <= now < e for s, e in pauses)
        reply = turns.hear(now, 40 if loud else 0)
        if reply is not None:
            spoken.append((now, now + conversation.said_by("agent")[reply].seconds, "agent"))
    heard = [(max(s, answer_at), e, who) for s, e, who in spans if e > answer_at]
    return heard + spoken


@pytest.mark.parametrize("answer_at", [x * 0.5 for x in range(0, 60)])
def test_the_agent_never_talks_over_the_caller_whenever_it_picks_up(answer_at: float) -> None:
    conversation = voices.conversation()
    talk = _talk(conversation, answer_at)
    callers = [(s, e) for s, e, who in talk if who == "caller"]
    agents = [(s, e) for s, e, who in talk if who == "agent"]
    for start, end in agents:
        assert all(end <= s or start >= e for s, e in callers), (answer_at, talk)
    # each caller utterance the agent heard to its end is answered, in order, until the replies run out
    assert len(agents) == min(len(callers), len(conversation.said_by("agent")))
    if answer_at <= LEAD_IN_S:
        assert len(agents) == 2 and agents[0][0] > callers[0][1] + END_OF_TURN_S - 0.05


def test_turns_wait_for_speech_then_for_its_end_and_never_interrupt_a_reply() -> None:
    turns = TurnTaker([2.0, 1.0])
    assert turns.hear(0.0, 0) is None and turns.hear(5.0, 0) is None, "silence alone is no turn"
    assert turns.hear(5.1, SPEECH_LEVEL) is None
    assert turns.hear(5.1 + END_OF_TURN_S - 0.05, 0) is None
    assert turns.hear(5.1 + END_OF_TURN_S, 0) == 0
    assert turns.hear(6.5, 80) is None and turns.hear(8.0, 0) is None, "deaf while the reply plays"
    assert turns.hear(9.0, 50) is None and turns.hear(10.5, 0) == 1
    assert turns.done and turns.hear(20.0, 90) is None and turns.hear(30.0, 0) is None


def test_the_caller_speaks_its_track_once() -> None:
    talking = caller_scenario(CenterLoad("NTS126", "126", 2.0, "0"), Path("/tmp/x.wav"), 10.0, dropping=False)
    assert 'rtp_stream="/tmp/x.wav,1,0"' in talking


def test_prepared_voices_fit_sipp_and_the_softphone(tmp_path: Path) -> None:
    conversation = voices.conversation()
    ready = prepare_voices(tmp_path, conversation)
    data = ready.caller.read_bytes()
    assert data[:4] == b"RIFF" and data[36:40] == b"data", "the plain 44-byte header SIPp skips"
    assert struct.unpack("<HHI", data[20:28]) == (7, 1, 8000), "μ-law, mono, 8 kHz"
    size = struct.unpack("<I", data[40:44])[0]
    assert size == len(data) - 44 and size % PACKET_SAMPLES == 0, "whole RTP packets"
    expected = sum(silence + u.seconds for silence, u in conversation.caller_track()) + TAIL_S
    assert size / 8000 == pytest.approx(expected, abs=0.05)
    assert len(ready.replies) == 2
    for path, reply in zip(ready.replies, conversation.said_by("agent"), strict=True):
        with wave.open(str(path)) as audio:
            assert (audio.getframerate(), audio.getsampwidth(), audio.getnchannels()) == (8000, 2, 1)
            assert audio.getnframes() / 8000 == pytest.approx(reply.seconds, abs=0.01)
