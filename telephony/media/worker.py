"""A media worker process: ``python -m telephony.media.worker --control-socket PATH --sip-port PORT ...``.

It connects to the control process over AMP, starts its pjsua2 engine on the reactor thread, says
Hello, then reports events and serves commands until the control connection goes away or it gets
SIGTERM; either way it hangs up its calls and calls ``libDestroy`` before it exits. Losing the
control process ends the worker, so a killed control process leaves no orphans behind.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet import reactor as default_reactor
from twisted.internet.protocol import ClientFactory
from twisted.protocols import amp
from twisted.python import failure

from telephony.media import protocol as p
from telephony.media.engine import MediaEngine

log = logging.getLogger("sori.media.worker")
Reply = dict[str, Any]


class WorkerProtocol(amp.AMP):
    """The worker's end of the AMP connection: serves control commands, sends events."""

    def __init__(self, engine_factory: Any, reactor: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.engine: MediaEngine = engine_factory(self)
        self.reactor = reactor

    def connectionMade(self) -> None:
        super().connectionMade()  # type: ignore[no-untyped-call]
        sip_uri = self.engine.start()
        log.info("worker %s on %s", self.engine.worker_id, sip_uri)
        self.emit(
            p.Hello, worker_id=self.engine.worker_id, sip_uri=sip_uri, capacity=self.engine.capacity, pid=os.getpid()
        )

    def connectionLost(self, reason: failure.Failure) -> None:  # type: ignore[override]
        super().connectionLost(reason)  # type: ignore[no-untyped-call]
        log.info("control connection lost; stopping")
        if self.reactor.running:
            self.reactor.stop()

    def emit(self, command: type[amp.Command], **arguments: Any) -> None:
        d = self.callRemote(command, **arguments)  # type: ignore[no-untyped-call]
        d.addErrback(lambda f: log.warning("event %s not delivered: %s", command.__name__, f.getErrorMessage()))

    @p.Answer.responder
    def answer(self, call_ref: str, code: int | None = None) -> Reply:
        self.engine.answer(call_ref, code)
        return {}

    @p.Play.responder
    def play(self, call_ref: str, wav_paths: list[str], loop: bool, playback_id: str) -> Reply:
        self.engine.play(call_ref, wav_paths, loop, playback_id)
        return {}

    @p.StopPlay.responder
    def stop_play(self, call_ref: str, playback_id: str | None = None) -> Reply:
        return {"stopped": self.engine.stop_play(call_ref, playback_id)}

    @p.StartRecording.responder
    def start_recording(self, call_ref: str, path: str) -> Reply:
        self.engine.start_recording(call_ref, path)
        return {}

    @p.StopRecording.responder
    def stop_recording(self, call_ref: str) -> defer.Deferred[Reply]:
        return self.engine.stop_recording(call_ref).addCallback(lambda done: {"path": done[0], "seconds": done[1]})

    @p.Dial.responder
    def dial(self, call_ref: str, target_uri: str, headers: list[dict[str, Any]]) -> Reply:
        return {"call_id": self.engine.dial(call_ref, target_uri, p.header_dict(headers))}

    @p.Bridge.responder
    def bridge(self, call_ref_a: str, call_ref_b: str) -> Reply:
        self.engine.bridge(call_ref_a, call_ref_b)
        return {}

    @p.Unbridge.responder
    def unbridge(self, call_ref_a: str, call_ref_b: str) -> Reply:
        self.engine.unbridge(call_ref_a, call_ref_b)
        return {}

    @p.Hangup.responder
    def hangup(self, call_ref: str, code: int | None = None) -> Reply:
        self.engine.hangup(call_ref, code)
        return {}

    @p.Transfer.responder
    def transfer(self, call_ref: str, target_uri: str, headers: list[dict[str, Any]]) -> Reply:
        self.engine.transfer(call_ref, target_uri, p.header_dict(headers))
        return {}

    @p.Health.responder
    def health(self) -> Reply:
        return self.engine.load()

    @p.Drain.responder
    def drain(self) -> Reply:
        self.engine.draining = True
        return {"calls": len(self.engine.legs)}


class WorkerFactory(ClientFactory):
    def __init__(self, engine_factory: Any, reactor: Any) -> None:
        self.engine_factory = engine_factory
        self.reactor = reactor
        self.protocol_instance: WorkerProtocol | None = None

    def buildProtocol(self, addr: Any) -> WorkerProtocol:
        self.protocol_instance = WorkerProtocol(self.engine_factory, self.reactor)
        return self.protocol_instance

    def clientConnectionFailed(self, connector: Any, reason: failure.Failure) -> None:
        log.error("cannot reach the control process: %s", reason.getErrorMessage())
        self.reactor.stop()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="telephony.media.worker", description=__doc__)
    parser.add_argument("--control-socket", required=True, type=Path)
    parser.add_argument("--sip-port", required=True, type=int, help="UDP port for SIP; 0 picks a free one")
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--worker-id", default=f"media-{os.getpid()}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--capacity", type=int, default=4, help="at most 4: pjsua2-python's compile-time limit")
    parser.add_argument("--rtp-port", type=int, default=0, help="first port of this worker's RTP range (0: default)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, reactor: Any = default_reactor) -> int:
    os.umask(0o077)  # recordings and logs hold citizens' voices: owner-only, whoever started this worker
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    capacity = max(1, min(4, args.capacity))
    engines: list[MediaEngine] = []

    def make_engine(protocol: WorkerProtocol) -> MediaEngine:
        engine = MediaEngine(args.worker_id, args.host, args.sip_port, capacity, protocol, reactor, args.rtp_port)
        engines.append(engine)
        return engine

    factory = WorkerFactory(make_engine, reactor)
    reactor.connectUNIX(str(args.control_socket), factory, timeout=10)

    def hang_up() -> None:
        for engine in engines:
            engine.hangup_all()

    reactor.addSystemEventTrigger("before", "shutdown", hang_up)
    reactor.run()
    for engine in engines:
        engine.destroy()
    log.info("worker %s stopped", args.worker_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
