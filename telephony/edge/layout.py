"""Lay out one edge instance in its state directory and say how to run it.

Both the Twisted supervisor and the tests go through :func:`prepare`, so what
the tests start is what ``sori up`` starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from telephony.edge.kamcfg import EdgePaths, render_config
from telephony.edge.numbers import NumberPlan
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress, _write, dispatcher_list, write_tables


def prepare(
    config: EdgeConfig,
    plan: NumberPlan,
    workers: Iterable[WorkerAddress],
    subscribers: Iterable[Subscriber],
    state_dir: Path,
    standby: Iterable[WorkerAddress] = (),
) -> EdgePaths:
    """Write the configuration, the worker list (``standby`` ones inactive) and the db_text tables."""
    paths = EdgePaths(state_dir)
    for directory in (paths.root, paths.run):  # owner-only: the subscriber table holds the phones' HA1s
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        directory.chmod(0o700)
    for stale in (paths.rpc_socket, paths.ctl_socket, paths.pid_file):
        stale.unlink(missing_ok=True)  # left by a killed instance; Kamailio will not bind over them
    write_tables(paths.db, subscribers, config.realm)
    write_workers(paths, workers, standby)
    _write(paths.config, render_config(config, plan, paths))
    return paths


def write_workers(paths: EdgePaths, workers: Iterable[WorkerAddress], standby: Iterable[WorkerAddress] = ()) -> None:
    """Rewrite the worker list; a running edge picks it up on ``dispatcher.reload``."""
    _write(paths.dispatcher, dispatcher_list(workers, standby))


def command(config: EdgeConfig, paths: EdgePaths) -> list[str]:
    """Kamailio in the foreground (``-DD``), logging to stderr (``-E``), with its pid file in the state dir.

    No ``-u``/``-g``: run as root it stays root, run as a user it stays that user.
    """
    return [
        str(config.binary),
        "-DD",
        "-E",
        "-f",
        str(paths.config),
        "-P",
        str(paths.pid_file),
        "-m",
        str(config.shared_memory_mb),
        "-M",
        str(config.private_memory_mb),
    ]
