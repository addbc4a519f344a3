"""Route: a contact's call recording, streamed to a reader who may see the contact (range requests, logged).

The access check and its access-log row happen in the request's unit of work; the bytes are read afterwards
on a worker thread (``Later``), holding neither the reactor nor a database thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twisted.internet.threads import deferToThread

from crm.access.model import Purpose
from crm.access.recordings import open_recording
from crm.api.deps import ApiDeps
from crm.api.routes_core import PURPOSE_PARAM, REASON_PARAM, V1
from crm.store.uow import SqlUnitOfWork
from kernel.http.errors import error_body
from kernel.http.kit import ApiRequest, BinaryReply, Later, Reply, Router
from kernel.http.ranges import RangeNotSatisfiable, parse_range

OPEN_RANGE_CAP = 1024 * 1024  # bytes sent for ``bytes=N-``: players read on with the next range


def _read(path: Path, start: int, length: int) -> bytes:
    with path.open("rb") as f:
        f.seek(start)
        return f.read(length)


def register(router: Router, deps: ApiDeps) -> None:
    def recording(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply | Later:
        found = open_recording(
            uow,
            req.require_actor(),
            req.now,
            deps.recordings_dir,
            interaction_id=req.param_int("interaction_id"),
            requested=req.q_enum("purpose", Purpose),
            reason=req.q("reason"),
            via=req.via,
        )
        size = found.size
        headers = {"content-type": "audio/wav", "accept-ranges": "bytes"}
        try:
            wanted = parse_range(req.headers.get("range"), size, OPEN_RANGE_CAP)
        except RangeNotSatisfiable as refused:
            body = error_body("range-not-satisfiable", str(refused), {"size": size})
            return Reply(416, body, {"content-range": f"bytes */{size}", "accept-ranges": "bytes"})
        status, start, length = 200, 0, size
        if wanted is not None:
            status, start, length = 206, wanted.start, wanted.length
            headers["content-range"] = wanted.content_range(size)
        path = found.path

        def sent(content: bytes) -> BinaryReply:
            return BinaryReply(status, None, {**headers, "content-length": str(len(content))}, content)

        def read() -> Any:
            return deferToThread(_read, path, start, length).addCallback(sent)

        return Later(read)

    router.route(
        "GET",
        f"{V1}/interactions/{{interaction_id}}/recording",
        summary="The contact's call recording (WAV; Range requests answered 206; every access logged)",
        tag="interactions",
        responses={200: None, 206: None},
        errors=(400, 401, 403, 404, 416, 422),
        query=(PURPOSE_PARAM, REASON_PARAM),
        media_type="audio/wav",
    )(recording)
