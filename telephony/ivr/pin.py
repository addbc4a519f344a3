"""The caller's PIN in the IVR: its Korean prompts and the keypad entry of one PIN.

A PIN is keyed digit by digit and ended with # (우물 정자); * (별표) means "I don't know it" and silence
ends the entry the same way. The digits are collected as secret (``CollectDigits.secret``): the call's
trace and logs never hold them. The session (``telephony.ivr.session``) decides when a PIN is asked:
before a caller is queued for an agent, before personal self-service for a caller whose number did not
come from a trusted trunk, and in a flow's ``pin-change`` step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from telephony.ivr.actions import Action, CollectDigits, Play, PromptPart
from telephony.ivr.model import PromptSpec

ASK = PromptSpec("본인 확인을 위해 등록하신 비밀번호를 누르신 뒤 우물 정자를 눌러 주세요. 모르시면 별표를 눌러 주세요.")
WRONG = PromptSpec("비밀번호가 맞지 않습니다.")
LOCKED = PromptSpec("비밀번호를 여러 번 잘못 누르셔서 잠시 동안 비밀번호를 쓰실 수 없습니다.")
SORRY = PromptSpec("죄송합니다. 지금은 비밀번호를 확인할 수 없습니다.")
NOT_TRUSTED = PromptSpec(
    "전화하신 번호만으로는 본인 확인이 되지 않아 개인 정보를 안내해 드릴 수 없습니다. 상담원을 연결해 드리겠습니다."
)
CHANGE_CURRENT = PromptSpec("비밀번호를 바꾸시려면 지금 쓰시는 비밀번호를 누르신 뒤 우물 정자를 눌러 주세요.")
CHANGE_NEW = PromptSpec("새 비밀번호 네 자리에서 여섯 자리를 누르신 뒤 우물 정자를 눌러 주세요.")
CHANGE_REPEAT = PromptSpec("확인을 위해 새 비밀번호를 한 번 더 누르신 뒤 우물 정자를 눌러 주세요.")
NO_PIN = PromptSpec("등록된 비밀번호가 없습니다. 비밀번호는 상담원에게 본인 확인을 받으신 뒤 등록하실 수 있습니다.")
NOT_CHANGED = PromptSpec("비밀번호를 바꾸지 않았습니다.")
#: What the caller hears after a change, by the store's answer.
CHANGE_OUTCOMES = {
    "verified": PromptSpec("비밀번호가 바뀌었습니다."),
    "wrong": PromptSpec("지금 비밀번호가 맞지 않아 비밀번호를 바꾸지 않았습니다."),
    "locked": LOCKED,
    "no-pin": NO_PIN,
    "format": PromptSpec("비밀번호는 네 자리에서 여섯 자리 숫자입니다. 비밀번호를 바꾸지 않았습니다."),
    "trivial": PromptSpec(
        "생년월일, 전화번호, 같은 숫자나 연속된 숫자처럼 짐작하기 쉬운 비밀번호는 쓰실 수 없습니다. "
        "비밀번호를 바꾸지 않았습니다."
    ),
    "mismatch": PromptSpec("두 번 누르신 새 비밀번호가 서로 다릅니다. 비밀번호를 바꾸지 않았습니다."),
}
PROMPTS = (ASK, WRONG, LOCKED, SORRY, NOT_TRUSTED, CHANGE_CURRENT, CHANGE_NEW, CHANGE_REPEAT, NOT_CHANGED,
           *CHANGE_OUTCOMES.values())  # fmt: skip
TRIES_PER_CALL = 2  # wrong PINs a caller may key in one call before going on unverified
MAX_KEYS = 12  # more digits than any PIN: kept only to fail, never to grow without bound


@dataclass
class PinEntry:
    """One PIN being keyed: ``done`` gets the digits at #, or None for *, silence, or no digits."""

    prompt: tuple[PromptPart, ...]
    done: Callable[[str | None], list[Action]]
    timeout_s: float
    digits: list[str] = field(default_factory=list)

    def start(self, before: tuple[PromptPart, ...] = ()) -> list[Action]:
        return [Play(before + self.prompt), self.collect()]

    def add(self, key: str) -> bool:
        """Take one key; False when it ends the entry (# or *). Other keys than digits are ignored."""
        if key in ("#", "*"):
            self.digits.append(key)
            return False
        if len(key) == 1 and key.isdigit() and len(self.digits) < MAX_KEYS:
            self.digits.append(key)
        return True

    def value(self) -> str | None:
        """The PIN keyed: the digits before #, None after *, silence or # alone."""
        if not self.digits or self.digits[-1] != "#" or len(self.digits) == 1:
            return None
        return "".join(self.digits[:-1])

    def collect(self) -> CollectDigits:
        return CollectDigits(1, self.timeout_s, terminator="#", secret=True)
