"""The switchboard's vocabulary: a call it is handling (``ActiveCall``), a caller's leg on a media worker as the
IVR runner drives it (``WorkerLeg``), and the pool's command API it needs (``Commands``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from twisted.internet import defer

from crm.door.calls import CallerInfo
from telephony.control.ivr_call import IvrCall, IvrTrace
from telephony.ivr.actions import Terminal
from telephony.media import protocol as media


class Commands(Protocol):
    """The pool's command API (``MediaPool.command``)."""

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]: ...


@dataclass
class ActiveCall:
    worker_id: str
    call_ref: str
    call_id: str
    caller: str
    dialled: str
    candidates: tuple[str, ...]
    started_at: dt.datetime
    center: str | None = None
    info: CallerInfo | None = None
    ivr: IvrCall | None = None
    traces: list[IvrTrace] = field(default_factory=list)
    outcome: Terminal | None = None
    queued_at: dt.datetime | None = None
    ended: bool = False
    recorded: defer.Deferred[Any] | None = None
    recording: Path | None = None  # the call's recording, from the end of the recording notice to hang-up
    handoff_id: int | None = None  # a blind transfer's hand-off, accepted by the agent who answers next
    case_number: str | None = None  # the case a transfer carries into the next center's menu
    trusted: bool = False  # the number came from a configured trunk (the edge's X-Sori-Trusted-Caller)

    @property
    def pin_verified(self) -> bool:
        """The caller keyed the PIN of the number's one citizen right, in any flow of this call."""
        return any(t.verified for t in self.traces)


@dataclass
class WorkerLeg:
    """A call leg on a media worker, as the IVR runner sees it."""

    pool: Commands
    worker_id: str
    call_ref: str

    def play(self, wavs: Sequence[Path], playback_id: str, loop: bool = False) -> defer.Deferred[Any]:
        return self.pool.command(
            self.worker_id,
            media.Play,
            call_ref=self.call_ref,
            wav_paths=[str(w) for w in wavs],
            loop=loop,
            playback_id=playback_id,
        )

    def stop_play(self, playback_id: str) -> defer.Deferred[Any]:
        return self.pool.command(self.worker_id, media.StopPlay, call_ref=self.call_ref, playback_id=playback_id)
