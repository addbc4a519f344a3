"""The SMS gateway in the composition root: the HTTP adapter built once, and the bundled reference service
started by ``sori up`` (a supervised child on loopback) when no real gateway is configured."""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from twisted.application import service

from integrations.settings import SmsConfig
from integrations.sms.http_adapter import HttpSmsGateway
from sori.children import SupervisedProcess
from sori.config import Settings
from sori.key_files import key_from_file
from sori.wiring import System

log = logging.getLogger("sori.sms")
REFERENCE_KEY_ENV = "SMS_REFERENCE_API_KEY"  # integrations.sms.reference.KEY_ENV (not imported: no twisted.web here)


def attach_sms(system: System, root: service.MultiService, reactor: Any) -> None:
    """Give ``system.sms`` its gateway (unless a test set one already) and, without a configured
    ``base_url``, add the reference service to ``root``."""
    config = system.settings.integrations.sms
    if not config.enabled or system.sms is not None:
        return
    key, key_file = api_key(system.settings)
    base_url = config.base_url
    if base_url is None:
        port = config.reference_port or free_port(config.reference_host)
        base_url = f"http://{config.reference_host}:{port}"
        reference_service(system.settings, port, key, key_file, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]
    system.sms = gateway(config, base_url, key)
    log.info("sms gateway", extra={"url": base_url, "reference": config.base_url is None})


def gateway(config: SmsConfig, base_url: str, key: str) -> HttpSmsGateway:
    return HttpSmsGateway(base_url, key, connect_timeout_s=config.connect_timeout_s,
                          read_timeout_s=config.read_timeout_s, deadline_s=config.deadline_s,
                          attempts=config.attempts, breaker_failures=config.breaker_failures,
                          breaker_reset_s=config.breaker_reset_s)  # fmt: skip


def api_key(settings: Settings) -> tuple[str, Path | None]:
    """The gateway's API key and the file it came from: configured, else the key file (created 0600 when
    ``sori up`` runs the reference service itself; a real gateway's key must be given)."""
    config = settings.integrations.sms
    if config.api_key is not None:
        return config.api_key.get_secret_value(), None
    path = config.api_key_file or settings.state_dir / "secrets" / "sms-api.key"
    key = key_from_file(path, real_system=config.base_url is not None, what="the SMS gateway",
                        env="SORI_INTEGRATIONS__SMS__API_KEY")  # fmt: skip
    return key, path


def reference_service(settings: Settings, port: int, key: str, key_file: Path | None,
                      reactor: Any) -> SupervisedProcess:  # fmt: skip
    """``python -m integrations.sms.reference`` on loopback; its key reaches it by file or environment."""
    config = settings.integrations.sms
    argv = [sys.executable, "-m", "integrations.sms.reference", "--host", config.reference_host, "--port", str(port),
            "--exit-with-stdin"]  # fmt: skip
    env = dict(os.environ)
    if key_file is not None:
        argv += ["--api-key-file", str(key_file)]
    else:
        env[REFERENCE_KEY_ENV] = key
    log_path = settings.state_dir / "logs" / "sms-reference.log"
    child = SupervisedProcess("sms-reference", argv, log_path, reactor, env=env)
    child.setName("sms-reference")  # type: ignore[no-untyped-call]
    return child


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
