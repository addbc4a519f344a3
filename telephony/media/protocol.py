"""The typed AMP protocol between the control process and its media workers.

Both sides import this module. Worker→control commands report what happens on the wire
(a call arrived, changed state, a digit, a finished prompt or recording); control→worker
commands drive the calls. Every failure crosses the socket as an AMP error whose code is one
of the stable strings in ``ERRORS`` below, so the orchestrator can branch on it.
"""

from __future__ import annotations

from typing import Any

from twisted.protocols import amp

# -- errors with stable codes ------------------------------------------------------------------


class MediaError(Exception):
    """Base of every error a worker returns; ``code`` is stable and crosses the socket."""

    code = "media-error"


class CallNotFound(MediaError):
    code = "call-not-found"


class CallExists(MediaError):
    code = "call-exists"


class CapacityExceeded(MediaError):
    code = "capacity-exceeded"


class Draining(MediaError):
    code = "worker-draining"


class NoMedia(MediaError):
    """The call has no active audio yet (not answered, or on hold)."""

    code = "no-media"


class PlaybackNotFound(MediaError):
    code = "playback-not-found"


class RecordingNotFound(MediaError):
    code = "recording-not-found"


class BadRequest(MediaError):
    code = "bad-request"


class SipError(MediaError):
    """pjsua2 refused the operation (its message is passed on)."""

    code = "sip-error"


ERROR_CLASSES: tuple[type[MediaError], ...] = (
    CallNotFound,
    CallExists,
    CapacityExceeded,
    Draining,
    NoMedia,
    PlaybackNotFound,
    RecordingNotFound,
    BadRequest,
    SipError,
)
ERRORS: dict[type[Exception], bytes] = {cls: cls.code.encode() for cls in ERROR_CLASSES}

# -- argument types ----------------------------------------------------------------------------


def Headers() -> amp.AmpList:
    """SIP headers as an ordered list of ``{"name": ..., "value": ...}``."""
    return amp.AmpList([(b"name", amp.Unicode()), (b"value", amp.Unicode())])


def header_list(headers: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in (headers or {}).items()]


def header_dict(headers: list[dict[str, Any]]) -> dict[str, str]:
    return {str(h["name"]): str(h["value"]) for h in headers}


def _u(optional: bool = False) -> amp.Unicode:
    return amp.Unicode(optional=optional)


def _i(optional: bool = False) -> amp.Integer:
    return amp.Integer(optional=optional)


def _b() -> amp.Boolean:
    return amp.Boolean()


def _f() -> amp.Float:
    return amp.Float()


class _Command(amp.Command):
    """Twisted declares commands with class-level lists (hence the RUF012 exemptions below)."""

    errors = ERRORS


# -- worker → control --------------------------------------------------------------------------


class Hello(_Command):
    """First words of a worker after it connects: who it is and where it takes SIP."""

    arguments = [(b"worker_id", _u()), (b"sip_uri", _u()), (b"capacity", _i()), (b"pid", _i())]  # noqa: RUF012


class IncomingCall(_Command):
    """A new INVITE reached the worker (ringing, not answered). ``headers`` holds X-* and User-to-User."""

    arguments = [  # noqa: RUF012
        (b"call_ref", _u()),
        (b"call_id", _u()),
        (b"from_uri", _u()),
        (b"to_uri", _u()),
        (b"headers", Headers()),
    ]


class CallState(_Command):
    """A leg changed state: ``calling``, ``early``, ``connecting``, ``confirmed``, ``disconnected``,
    or ``transfer`` (progress of a REFER, ``code`` is the NOTIFY status)."""

    # cause: the Q.850 cause of the Reason header on the BYE/CANCEL that ended the call (0: none given)
    arguments = [  # noqa: RUF012
        (b"call_ref", _u()),
        (b"state", _u()),
        (b"code", _i()),
        (b"reason", _u()),
        (b"cause", _i(optional=True)),
    ]


class DtmfReceived(_Command):
    arguments = [(b"call_ref", _u()), (b"digit", _u())]  # noqa: RUF012


class PlaybackDone(_Command):
    arguments = [(b"call_ref", _u()), (b"playback_id", _u())]  # noqa: RUF012


class RecordingDone(_Command):
    arguments = [(b"call_ref", _u()), (b"path", _u()), (b"seconds", _f())]  # noqa: RUF012


# -- control → worker --------------------------------------------------------------------------


class Answer(_Command):
    arguments = [(b"call_ref", _u()), (b"code", _i(optional=True))]  # noqa: RUF012


class Play(_Command):
    """Play one WAV, or several in sequence, into the call; ``loop`` repeats them (queue music)."""

    arguments = [  # noqa: RUF012
        (b"call_ref", _u()),
        (b"wav_paths", amp.ListOf(_u())),
        (b"loop", _b()),
        (b"playback_id", _u()),
    ]


class StopPlay(_Command):
    """Stop a playback (no PlaybackDone follows); without ``playback_id`` stop every one on the call."""

    arguments = [(b"call_ref", _u()), (b"playback_id", _u(optional=True))]  # noqa: RUF012
    response = [(b"stopped", _i())]  # noqa: RUF012


class StartRecording(_Command):
    """Record the call's audio to WAV; a call that is (or becomes) bridged is recorded with both sides mixed."""

    arguments = [(b"call_ref", _u()), (b"path", _u())]  # noqa: RUF012


class StopRecording(_Command):
    arguments = [(b"call_ref", _u())]  # noqa: RUF012
    response = [(b"path", _u()), (b"seconds", _f())]  # noqa: RUF012


class Dial(_Command):
    """Place an outbound leg (an agent's phone, a callback to a citizen). Answers once the INVITE is sent;
    progress arrives as CallState events for ``call_ref``."""

    arguments = [(b"call_ref", _u()), (b"target_uri", _u()), (b"headers", Headers())]  # noqa: RUF012
    response = [(b"call_id", _u())]  # noqa: RUF012


class Bridge(_Command):
    """Connect two legs of this worker both ways through the conference bridge."""

    arguments = [(b"call_ref_a", _u()), (b"call_ref_b", _u())]  # noqa: RUF012


class Unbridge(_Command):
    arguments = [(b"call_ref_a", _u()), (b"call_ref_b", _u())]  # noqa: RUF012


class Hangup(_Command):
    """End a leg: rejects an unanswered call with ``code`` (e.g. 486), otherwise sends BYE/CANCEL."""

    arguments = [(b"call_ref", _u()), (b"code", _i(optional=True))]  # noqa: RUF012


class Transfer(_Command):
    """Blind transfer by REFER; ``headers`` (e.g. User-to-User with the case id) ride on the REFER."""

    arguments = [(b"call_ref", _u()), (b"target_uri", _u()), (b"headers", Headers())]  # noqa: RUF012


class Health(_Command):
    requiresAnswer = True
    response = [  # noqa: RUF012
        (b"calls", _i()),
        (b"capacity", _i()),
        (b"players", _i()),
        (b"recorders", _i()),
        (b"draining", _b()),
    ]


class Drain(_Command):
    """Refuse new calls (503) from now on; calls in progress continue."""

    response = [(b"calls", _i())]  # noqa: RUF012


WORKER_EVENTS: tuple[type[amp.Command], ...] = (
    Hello,
    IncomingCall,
    CallState,
    DtmfReceived,
    PlaybackDone,
    RecordingDone,
)
