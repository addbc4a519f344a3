"""The demo's voices: real Korean telephone speech (Zeroth-Korean, CC BY 4.0; see README.md here) and the
script of who says which clip, in turn (``conversation.tsv``)."""

from __future__ import annotations

from pathlib import Path

from telephony.sim.plan import Conversation, Utterance

FOLDER = Path(__file__).parent
SCRIPT = FOLDER / "conversation.tsv"


def conversation(script: Path = SCRIPT) -> Conversation:
    """The script in ``script`` (tab-separated: speaker, clip file, seconds, text; a header line first)."""
    lines = script.read_text(encoding="utf-8").splitlines()[1:]
    turns = []
    for line in lines:
        if line.strip():
            speaker, clip, seconds, text = line.split("\t")
            turns.append(Utterance(speaker, clip, float(seconds), text))
    return Conversation(tuple(turns))


def clip_path(utterance: Utterance) -> Path:
    return FOLDER / utterance.clip
