"""The bundled reference SMS gateway: a simulated carrier speaking ``openapi.json`` over HTTP (twisted.web).

It keeps messages in memory (bounded), delivers each at once to the simulated handset, and lets tests and
the demo read a handset's texts (``GET /v1/handsets/{number}/messages``). The API key comes from a file
that only its owner may read (``--api-key-file``) or from ``SMS_REFERENCE_API_KEY``, never from argv.

``python -m integrations.sms.reference --port P [--host 127.0.0.1] --api-key-file FILE``
prints ``ready <url>`` once it listens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hmac
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twisted.internet import protocol, stdio
from twisted.internet import reactor as default_reactor
from twisted.python import failure
from twisted.web import http, resource, server

from integrations.sms.port import SentMessage, SmsError, SmsMessageNotFound, SmsRejected
from integrations.sms.rules import check_number
from integrations.sms.store import MessageStore

MAX_BODY = 16 * 1024
KEY_ENV = "SMS_REFERENCE_API_KEY"
_REJECTION_STATUS = {"idempotency-key-reused": 422}


def message_json(message: SentMessage) -> dict[str, Any]:
    delivered = message.delivered_at.isoformat() if message.delivered_at else None
    return {"id": message.id, "to": message.to, "kind": message.kind, "bytes": message.bytes, "status": message.status,
            "accepted_at": message.accepted_at.isoformat(), "delivered_at": delivered}  # fmt: skip


class GatewayResource(resource.Resource):
    isLeaf = True

    def __init__(self, api_key: str, store: MessageStore) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.api_key = api_key.encode()
        self.store = store

    def render(self, request: server.Request) -> bytes:
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        method = request.method.decode("ascii", "replace")
        parts = request.path.decode("utf-8", "replace").strip("/").split("/")
        if method == "GET" and parts == ["v1", "health"]:
            return _json({"status": "ok"})
        route = self._route(method, parts)
        if route is None:
            known = parts[:2] in (["v1", "messages"], ["v1", "handsets"])
            return _error(request, 405 if known else 404, "method-not-allowed" if known else "not-found",
                          "지원하지 않는 요청입니다.")  # fmt: skip
        if not self._authorised(request):
            request.setHeader(b"www-authenticate", b'Bearer realm="sms"')
            return _error(request, 401, "unauthorized", "API 키가 없거나 올바르지 않습니다.")
        try:
            return route(request)
        except SmsMessageNotFound as error:
            return _error(request, 404, "message-not-found", error.message)
        except SmsRejected as error:
            return _error(request, _REJECTION_STATUS.get(error.reason, 400), error.reason, error.message,
                          {k: v for k, v in error.details.items() if k != "reason"})  # fmt: skip
        except SmsError as error:
            return _error(request, 400, "bad-request", error.message)

    def _route(self, method: str, parts: list[str]) -> Callable[[server.Request], bytes] | None:
        if method == "POST" and parts == ["v1", "messages"]:
            return self._send
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "messages"]:
            return lambda request: _json(message_json(self.store.get(parts[2])))
        if method == "GET" and len(parts) == 4 and parts[:2] == ["v1", "handsets"] and parts[3] == "messages":
            return lambda request: self._inbox(parts[2])
        return None

    def _authorised(self, request: server.Request) -> bool:
        given = request.getHeader(b"authorization") or b""
        scheme, _, token = given.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self.api_key)

    def _send(self, request: server.Request) -> bytes:
        raw = request.content.read(MAX_BODY + 1) if request.content is not None else b""
        if len(raw) > MAX_BODY:
            return _error(request, 413, "payload-too-large", "요청 본문이 16KiB를 넘습니다.")
        key = request.getHeader(b"idempotency-key")
        if key is None:
            return _error(request, 400, "idempotency-key-required", "Idempotency-Key 헤더가 필요합니다.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise SmsRejected("bad-request", problem="the body is not JSON") from None
        if not isinstance(body, dict) or set(body) != {"to", "text"}:
            raise SmsRejected("bad-request", problem='the body must be {"to", "text"} and nothing else')
        if not isinstance(body["to"], str) or not isinstance(body["text"], str):
            raise SmsRejected("bad-request", problem="to and text are strings")
        message = self.store.send(body["to"], body["text"], key.decode("latin-1").strip())
        if message.replayed:
            request.setHeader(b"idempotent-replayed", b"true")
        else:
            request.setResponseCode(201)
        return _json(message_json(message))

    def _inbox(self, number: str) -> bytes:
        received = self.store.inbox(check_number(number))
        return _json({"number": number, "messages": [
            {"id": r.id, "text": r.text, "kind": r.kind, "received_at": r.received_at.isoformat()} for r in received
        ]})  # fmt: skip


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _error(request: server.Request, status: int, code: str, message: str,
           details: dict[str, Any] | None = None) -> bytes:  # fmt: skip
    request.setResponseCode(status)
    return _json({"error": code, "message": message, "details": details or {}})


def read_api_key(path: Path | None) -> str:
    """The key from a file only its owner can read, else from the environment; SystemExit(2) if neither."""
    if path is not None:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SystemExit(f"{path} must be readable by its owner only (chmod 600)")
        key = path.read_text(encoding="utf-8").strip()
    else:
        key = os.environ.get(KEY_ENV, "").strip()
    if len(key) < 16:
        raise SystemExit(f"an API key of at least 16 characters is needed (--api-key-file or {KEY_ENV})")
    return key


class QuietSite(server.Site):
    """No access log: request paths hold phone numbers (the handset view)."""

    def __init__(self, root: resource.Resource) -> None:
        super().__init__(root)  # type: ignore[no-untyped-call]

    def log(self, request: http.Request) -> None:
        pass


class _StopWhenStdinCloses(protocol.Protocol):
    """Supervised by ``sori up``: stdin is a pipe from the supervisor, closed when it is gone."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self.stop = stop

    def connectionLost(self, reason: failure.Failure = protocol.connectionDone) -> None:
        self.stop()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the reference SMS gateway (a simulated carrier)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key-file", type=Path)
    parser.add_argument("--max-messages", type=int, default=10_000)
    parser.add_argument("--exit-with-stdin", action="store_true", help="stop when stdin closes (supervised)")
    args = parser.parse_args(argv)
    try:
        api_key = read_api_key(args.api_key_file)
    except (SystemExit, OSError) as error:
        print(f"cannot start: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    reactor: Any = default_reactor
    site = QuietSite(GatewayResource(api_key, MessageStore(utc_now, max_messages=args.max_messages)))
    site.displayTracebacks = False
    reactor.listenTCP(args.port, site, interface=args.host)
    if args.exit_with_stdin:
        stdio.StandardIO(_StopWhenStdinCloses(lambda: reactor.stop() if reactor.running else None))
    print(f"ready http://{args.host}:{args.port}/v1/messages", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
