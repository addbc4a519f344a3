"""One Twisted reactor running in a background thread for the whole test session.

The HTTP tests talk to the real twisted.web site over loopback with ``requests``,
exactly as a client would; the reactor can only start once per process, hence
one thread shared by every test.
"""

from __future__ import annotations

import threading
from typing import Any

from twisted.internet import reactor as _reactor
from twisted.internet.threads import blockingCallFromThread

reactor: Any = _reactor
_thread: threading.Thread | None = None


def ensure_running() -> None:
    global _thread
    if _thread is not None:
        return
    _thread = threading.Thread(target=lambda: reactor.run(installSignalHandlers=False), name="reactor", daemon=True)
    _thread.start()


def call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` on the reactor thread and wait for its (possibly deferred) result."""
    ensure_running()
    return blockingCallFromThread(reactor, function, *args, **kwargs)


def stop() -> None:
    if _thread is not None:
        reactor.callFromThread(reactor.stop)
        _thread.join(timeout=10)
