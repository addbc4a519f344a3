"""Steering a running edge through Kamailio's JSON-RPC datagram socket (jsonrpcs module).

Blocking and short (each call has a timeout): the Twisted supervisor runs these
calls in a thread, tests and tools call them directly. The main use is
:meth:`EdgeControl.worker_dead`: when the control process sees a media worker die,
the edge stops sending it calls and ends its dialogs, so every caller it carried
hears a BYE at once instead of silence until a timeout.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telephony.edge.tables import WORKER_SET, WorkerAddress

_ids = itertools.count(1)


class EdgeRpcError(Exception):
    """Kamailio answered a command with an error (or not at all)."""

    def __init__(self, method: str, message: str, code: int | None = None) -> None:
        super().__init__(f"{method}: {message}" + (f" ({code})" if code is not None else ""))
        self.method = method
        self.code = code


class JsonRpcClient:
    """JSON-RPC 2.0 over a Unix datagram socket; each call binds its own reply socket next to the server's."""

    def __init__(self, server: Path, timeout: float = 2.0) -> None:
        self.server = server
        self.timeout = timeout

    def call(self, method: str, *params: str | int) -> Any:
        request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": next(_ids)}
        reply_path = self.server.with_name(f"client-{os.getpid()}-{request['id']}.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(str(reply_path))
            try:
                sock.settimeout(self.timeout)
                sock.sendto(json.dumps(request).encode(), str(self.server))
                raw = sock.recv(1 << 16)
            except OSError as exc:
                raise EdgeRpcError(method, f"no answer from {self.server}: {exc}") from exc
            finally:
                reply_path.unlink(missing_ok=True)
        reply = json.loads(raw)
        if "error" in reply:
            error = reply["error"]
            raise EdgeRpcError(method, str(error.get("message")), error.get("code"))
        return reply.get("result")


@dataclass(frozen=True)
class DialogRef:
    """A dialog as the edge's dialog module knows it."""

    h_entry: int
    h_id: int
    call_id: str
    state: int  # 1 unconfirmed, 2 early, 3 confirmed (no ACK), 4 confirmed, 5 deleted


class EdgeControl:
    """What Sori's control process asks of the edge."""

    def __init__(self, rpc: JsonRpcClient) -> None:
        self.rpc = rpc

    @classmethod
    def at(cls, rpc_socket: Path, timeout: float = 2.0) -> EdgeControl:
        return cls(JsonRpcClient(rpc_socket, timeout))

    def ping(self) -> str:
        """Kamailio's version string; raises :class:`EdgeRpcError` when the edge does not answer."""
        return str(self.rpc.call("core.version"))

    def worker_calls(self, worker: WorkerAddress) -> int:
        return int(self.rpc.call("dlg.profile_get_size", "worker", worker.key))

    def worker_dialogs(self, worker: WorkerAddress) -> list[DialogRef]:
        result = self.rpc.call("dlg.profile_list", "worker", worker.key) or []
        return [_dialog(item) for item in result]

    def worker_dead(self, worker: WorkerAddress) -> int:
        """Stop routing to ``worker`` and end its confirmed dialogs (BYE both ways); returns how many.

        Early dialogs need nothing: their INVITE transaction times out and the caller gets 408.
        """
        self.rpc.call("dispatcher.set_state", "ip", WORKER_SET, worker.uri)
        ended = 0
        for dialog in self.worker_dialogs(worker):
            if dialog.state in (3, 4):
                try:
                    self.rpc.call("dlg.end_dlg", dialog.h_entry, dialog.h_id)
                    ended += 1
                except EdgeRpcError:
                    pass  # ended meanwhile by the caller
        return ended

    def worker_alive(self, worker: WorkerAddress) -> None:
        self.rpc.call("dispatcher.set_state", "a", WORKER_SET, worker.uri)

    def reload_workers(self) -> None:
        """Re-read the worker list file (after :func:`telephony.edge.layout.write_workers`)."""
        self.rpc.call("dispatcher.reload")


def _dialog(item: dict[str, Any]) -> DialogRef:
    return DialogRef(int(item["h_entry"]), int(item["h_id"]), str(item.get("call-id", "")), int(item["state"]))
