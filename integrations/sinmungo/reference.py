"""The bundled reference 신문고 feed: serves complaints from a JSONL file with the feed protocol, so ingest
can run end to end without the real system. ``python -m integrations.sinmungo.reference FILE --port P``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from twisted.internet import reactor as default_reactor
from twisted.web import resource, server


class ComplaintsResource(resource.Resource):
    isLeaf = True

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items = items

    def render_GET(self, request: server.Request) -> bytes:
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        if request.path != b"/api/v1/complaints":
            request.setResponseCode(404)
            return b'{"error": "not-found"}'
        args = request.args or {}
        try:
            after = int((args.get(b"after") or [b""])[0] or 0)
            limit = int((args.get(b"limit") or [b"200"])[0])
        except ValueError:
            request.setResponseCode(400)
            return b'{"error": "after and limit are integers"}'
        limit = max(1, min(limit, 1000))
        page = self.items[after : after + limit]
        end = after + len(page)
        body = {"items": page, "next": str(end), "more": end < len(self.items)}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description="the reference 신문고 complaint feed")
    parser.add_argument("file", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    site = server.Site(ComplaintsResource(load(args.file)))
    reactor: Any = default_reactor
    reactor.listenTCP(args.port, site, interface=args.host)
    print(f"ready http://{args.host}:{args.port}/api/v1/complaints", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
