"""What the simulation does, decided without I/O: which centers get calls and how often, what an agent
bot does with each call (how long it talks, whether it transfers, the notes it writes), and what caller and
agent say, in turn (``Conversation``).

Handle times are log-normal (a long right tail, as real handle times have); the random source is passed
in, so a seeded run is reproducible.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from kernel.errors import ValidationFailed
from telephony.phones.turns import AFTER_REPLY_S, END_OF_TURN_S, POLL_S


@dataclass(frozen=True)
class CenterLoad:
    """Callers of one center: the number they dial, calls per minute, the keys that reach an agent."""

    center: str
    number: str
    calls_per_minute: float
    agent_keys: str = "0"  # pressed after the recording notice, in the main menu

    def __post_init__(self) -> None:
        if not self.number.isdigit():
            raise ValidationFailed(f"{self.center}: the number to dial must be digits, not '{self.number}'")
        if not 0 < self.calls_per_minute <= 600:
            raise ValidationFailed(f"{self.center}: calls per minute must be in (0, 600]")
        if not self.agent_keys or any(k not in "0123456789*#" for k in self.agent_keys):
            raise ValidationFailed(f"{self.center}: agent keys must be DTMF digits")


@dataclass(frozen=True)
class BotPolicy:
    """How agent bots behave. Shares are probabilities per answered call."""

    handle_mean_s: float = 45.0
    handle_sd_s: float = 25.0
    min_talk_s: float = 5.0
    transfer_share: float = 0.1
    transfer_targets: tuple[tuple[str, str], ...] = (("ACRC110", "general"),)  # (center, queue)
    wrapup_s: float = 3.0

    def __post_init__(self) -> None:
        if self.handle_mean_s <= 0 or self.handle_sd_s < 0 or self.min_talk_s < 0:
            raise ValidationFailed("handle times must be positive")
        if not 0 <= self.transfer_share <= 1:
            raise ValidationFailed("the transfer share is a probability")


@dataclass(frozen=True)
class Decision:
    talk_s: float
    transfer_to: tuple[str, str] | None
    notes: str
    wrap_up_code: str = "informed"  # a default wrap-up code; the bot falls back to its center's first code


# Notes an agent writes, by the topic the caller raised (the demo's own wording; no personal data).
NOTES: tuple[str, ...] = (
    "종합소득세 신고 기한과 납부 방법 안내함.",
    "주민등록등본 온라인 발급 방법 안내함.",
    "국민신문고 민원 처리 상황 확인, 담당 기관 회신 예정일 안내.",
    "기초연금 수급 자격 문의, 보조금24 조회 방법 안내.",
    "실업급여 신청 절차와 필요 서류 안내.",
    "가족관계증명서 재발급 요청, 정부24 발급 안내.",
    "지방세 납부 내역 확인 요청, 위택스 안내.",
    "버스 노선 변경 민원 접수, 담당 부서 전달.",
)


@dataclass
class BotBrain:
    policy: BotPolicy
    rng: random.Random = field(default_factory=random.Random)

    def handle_time(self) -> float:
        """A log-normal handle time with the policy's mean and standard deviation, never below the minimum."""
        mean, sd = self.policy.handle_mean_s, self.policy.handle_sd_s
        sigma2 = math.log(1 + (sd / mean) ** 2)
        mu = math.log(mean) - sigma2 / 2
        return max(self.policy.min_talk_s, self.rng.lognormvariate(mu, math.sqrt(sigma2)))

    def decide(self, center: str) -> Decision:
        """What to do with a call answered at ``center``: talk, maybe transfer elsewhere, and the notes."""
        targets = [t for t in self.policy.transfer_targets if t[0] != center]
        transfer = None
        if targets and self.rng.random() < self.policy.transfer_share:
            transfer = self.rng.choice(targets)
        code = "transferred" if transfer else self.rng.choice(("informed", "resolved"))
        return Decision(self.handle_time(), transfer, self.rng.choice(NOTES), code)


def caller_numbers(count: int, rng: random.Random, known: list[str]) -> list[str]:
    """Numbers callers dial from: mostly known citizens (their history pops up), some strangers."""
    out = []
    for _ in range(count):
        if known and rng.random() < 0.7:
            out.append(rng.choice(known))
        else:
            out.append(f"0109{rng.randrange(10**7):07d}")
    return out


#: Silence at the head of the caller's track: the caller starts streaming a second after pressing the agent
#: key, and the agent answers about four seconds after that (the menu takes the key once the notice has
#: ended, then ACD, ringing, answer); the first words wait for it when an agent is free.
LEAD_IN_S = 6.0
#: Slack in each caller silence beyond the agent's reply and its end-of-turn wait.
TURN_MARGIN_S = 1.0


@dataclass(frozen=True)
class Utterance:
    """One recorded clip of the demo's voices: who says it, its file, its length and what it says."""

    speaker: str  # "caller" or "agent"
    clip: str
    seconds: float
    text: str


@dataclass(frozen=True)
class Conversation:
    """A simulated call's script: the caller speaks first, then caller and agent alternate, one clip a turn.

    The caller cannot listen (SIPp streams a fixed track), so its track leaves after each of its utterances
    a silence longer than the agent's reply plus the agent's end-of-turn wait; the agent listens and answers
    in that silence (``telephony.phones.turns``). Neither needs to know when the other started.
    """

    turns: tuple[Utterance, ...]

    def __post_init__(self) -> None:
        if not self.turns:
            raise ValidationFailed("a conversation needs at least one utterance")
        for index, turn in enumerate(self.turns):
            expected = "caller" if index % 2 == 0 else "agent"
            if turn.speaker != expected:
                raise ValidationFailed(f"utterance {index + 1} ({turn.clip}) is the {expected}'s: they alternate")
            if turn.seconds <= 0:
                raise ValidationFailed(f"{turn.clip}: an utterance lasts a positive time")

    def said_by(self, speaker: str) -> tuple[Utterance, ...]:
        return tuple(t for t in self.turns if t.speaker == speaker)

    def reference(self) -> str:
        """What is said, in order: the reference for scoring the call's transcript."""
        return " ".join(t.text for t in self.turns)

    def caller_track(self, lead_in_s: float = LEAD_IN_S) -> tuple[tuple[float, Utterance], ...]:
        """The caller's track: (seconds of silence before, utterance) for each caller utterance."""
        track: list[tuple[float, Utterance]] = []
        silence = lead_in_s
        for turn in self.turns:
            if turn.speaker == "caller":
                track.append((silence, turn))
                silence = 0.0
            else:
                silence += agent_turn_s(turn.seconds)
        return tuple(track)


def agent_turn_s(reply_s: float) -> float:
    """The caller's silence that holds an agent reply of ``reply_s``: the agent's wait for the end of the
    caller's turn, its polling, the reply, the quiet after it, and a margin."""
    return END_OF_TURN_S + POLL_S + reply_s + AFTER_REPLY_S + TURN_MARGIN_S
