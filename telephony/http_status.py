"""The HTTP status of each error code telephony raises: the ACD, the desk, the IVR and the media workers.

Most reach the API only through the desk's routes; each is stated so that none falls back to a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    # the desk and its routes
    "not-on-call": 409,
    "transfer-in-progress": 409,
    "pin-enrolment-in-progress": 409,
    "no-media-capacity": 503,
    "telephony-unavailable": 503,
    "telephony-timeout": 503,
    # the ACD (telephony.acd.errors)
    "acd-error": 500,
    "naive-time": 500,  # a defect: the ACD takes aware times only
    "unknown-call": 404,
    "unknown-agent": 404,
    "unknown-queue": 404,
    "unknown-center": 404,
    "unknown-callback": 404,
    "duplicate-call": 409,
    "duplicate-callback": 409,
    "agent-busy": 409,
    "agent-not-available": 409,
    "agent-logged-out": 409,
    "agent-logged-in": 409,
    "call-not-offered": 409,
    "call-not-connected": 409,
    "call-answered": 409,
    # the IVR (telephony.ivr.errors)
    "ivr-flow-invalid": 422,
    "ivr-prompt-tool-missing": 503,
    "ivr-prompt-synthesis-failed": 503,
    # the media workers (telephony.media.protocol, telephony.media.pool)
    "media-error": 502,
    "sip-error": 502,
    "bad-request": 500,  # the control process sent a worker a request it refused: a defect
    "worker-unavailable": 503,
    "worker-draining": 503,
    "capacity-exceeded": 503,
    "call-not-found": 404,
    "playback-not-found": 404,
    "recording-not-found": 404,
    "call-exists": 409,
    "no-media": 409,
    # supervisors' actions (telephony.control.api_supervisor)
    "unknown-call-record": 404,
    "callback-already-requested": 409,
    "caller-number-unavailable": 409,
    # staffing (telephony.staffing.errors)
    "schedule-invalid": 422,
}
