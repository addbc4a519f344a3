"""The agent tools in the composition root: each tool's HTTP adapter built once, the tool thread pool, and the
bundled reference service (``sori refsvc``, a supervised child on loopback) for every tool with no real
system configured.

A tool's API key is read from its configuration or key file, never from a command line. For the reference
service ``sori up`` writes one key per played system under ``<state>/refsvc/keys`` (0600) and both sides read
it there.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from crm.api.tools import AgentTools
from crm.store.uow import UnitOfWorkFactory
from integrations.bills.http_adapter import HttpBillLedger
from integrations.certificates.http_adapter import HttpCertificateIssuer
from integrations.public_services.http_adapter import HttpDirectory
from integrations.settings import ToolConfig
from sori.children import SupervisedProcess
from sori.config import Settings
from sori.key_files import key_from_file
from sori.sms_wiring import free_port
from sori.wiring import System

log = logging.getLogger("sori.tools")
TOOL_THREADS = 16  # tool calls waiting at once on external systems (each bounded by its deadline)
SYSTEMS = ("public-services", "certificates", "bills")


def refsvc_dir(settings: Settings) -> Path:
    return settings.state_dir / "refsvc"


def tool_config(settings: Settings, name: str) -> ToolConfig:
    config: ToolConfig = getattr(settings.integrations, name.replace("-", "_"))
    return config


def api_key(settings: Settings, name: str) -> str:
    """The tool's key: configured, else its key file (created 0600 for the reference service)."""
    config = tool_config(settings, name)
    if config.api_key is not None:
        return config.api_key.get_secret_value()
    path = config.api_key_file or refsvc_dir(settings) / "keys" / f"{name}-api.key"
    env = f"SORI_INTEGRATIONS__{name.upper().replace('-', '_')}__API_KEY"
    return key_from_file(path, real_system=config.base_url is not None, what=f"the {name} system", env=env)


def reference_service(settings: Settings, port: int, reactor: Any) -> SupervisedProcess:
    """``sori refsvc`` on loopback, playing every system (keys under its state directory, never in argv)."""
    ref = settings.integrations.reference
    verify = ref.verify_base_url or f"http://{settings.http.host}:{settings.http.port}"
    argv = [
        sys.executable,
        "-m",
        "integrations.refsvc",
        "--host",
        ref.host,
        "--port",
        str(port),
        "--state-dir",
        str(refsvc_dir(settings)),
        "--verify-base-url",
        verify,
        "--exit-with-stdin",
    ]
    child = SupervisedProcess("refsvc", argv, settings.state_dir / "logs" / "refsvc.log", reactor)
    child.setName("refsvc")  # type: ignore[no-untyped-call]
    return child


def attach_tools(
    system: System, root: service.MultiService, reactor: Any, db_pool: ThreadPool, tool_pool: ThreadPool
) -> None:
    """Give ``system.tools`` its adapters (unless a test set them already) and, for enabled tools with no
    configured ``base_url``, add the reference service to ``root``."""
    settings = system.settings
    enabled = [name for name in SYSTEMS if tool_config(settings, name).enabled]
    if system.tools is not None or not enabled:
        return
    keys = {name: api_key(settings, name) for name in SYSTEMS if name in enabled or _played(settings, name)}
    ref = settings.integrations.reference
    reference_base: str | None = None
    if any(_played(settings, name) for name in enabled):
        for name in SYSTEMS:  # the reference plays every system: each needs its key file
            keys.setdefault(name, api_key(settings, name))
        port = ref.port or free_port(ref.host)
        reference_base = f"http://{ref.host}:{port}"
        reference_service(settings, port, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]

    def adapter(name: str, kind: Any) -> Any:
        config = tool_config(settings, name)
        if not config.enabled:
            return None
        url = config.base_url if config.base_url is not None else f"{reference_base}/{name}"
        return kind(url, keys[name], config)

    system.tools = build_tools(
        system.uow,
        reactor,
        db_pool,
        tool_pool,
        public_services=adapter("public-services", HttpDirectory),
        certificates=adapter("certificates", HttpCertificateIssuer),
        bills=adapter("bills", HttpBillLedger),
    )
    log.info("agent tools", extra={"reference": reference_base, "enabled": enabled})


def _played(settings: Settings, name: str) -> bool:
    config = tool_config(settings, name)
    return config.enabled and config.base_url is None


def build_tools(
    uow: UnitOfWorkFactory,
    reactor: Any,
    db_pool: ThreadPool,
    tool_pool: ThreadPool,
    *,
    public_services: Any = None,
    certificates: Any = None,
    bills: Any = None,
) -> AgentTools:
    """The tools over the given adapters: blocking calls on ``tool_pool``, records on ``db_pool``."""

    def write(work: Any) -> Any:
        def unit() -> Any:
            with uow() as unit_of_work:
                result = work(unit_of_work)
                unit_of_work.commit()
                return result

        return deferToThreadPool(reactor, db_pool, unit)

    def call(function: Any, *args: Any, **kwargs: Any) -> Any:
        return deferToThreadPool(reactor, tool_pool, function, *args, **kwargs)

    return AgentTools(public_services=public_services, certificates=certificates, bills=bills, call=call, write=write)
