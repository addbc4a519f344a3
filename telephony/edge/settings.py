"""Typed settings of the SIP edge: where it listens, its workers' cap, its flood and size limits.

``EdgeConfig`` is a configuration section shaped like the others in :mod:`sori.config`
(``extra="forbid"``, defaults that work with no file); the composition root adds it as
``Settings.edge``.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")

# Scanners announce themselves; the list follows Kamailio's sample configuration.
DEFAULT_SCANNERS = ("friendly-scanner", "sipvicious", "sipcli", "sip-scan", "VaxSIPUserAgent", "pplsip", "iWar")


class PikeConfig(BaseModel):
    """Per-source flood protection: more than ``requests`` in ``window_seconds`` bans the source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_seconds: int = Field(2, ge=1, le=60)
    requests: int = Field(30, ge=1, le=65535)  # Kamailio keeps it in 16 bits: larger values wrap around
    remove_latency: int = Field(4, ge=1)
    ban_seconds: int = Field(300, ge=1)


class AuthBanConfig(BaseModel):
    """Digest authentication failures (a wrong password, an unknown login) before a ban.

    A source address with ``source_failures`` failures, each within ``window_seconds`` of the previous one,
    is ignored for ``ban_seconds`` (every request dropped: no more challenges to guess against), unless a
    phone registered from it within ``trust_seconds`` (many phones behind one NAT must not fall together).
    A login with ``login_failures`` failures from anywhere is locked as long, except from the addresses that
    registered it with the right password within ``trust_seconds``: its own phone keeps working."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_failures: int = Field(5, ge=1, le=10000)
    login_failures: int = Field(10, ge=1, le=10000)
    window_seconds: int = Field(300, ge=1)
    ban_seconds: int = Field(900, ge=1)
    trust_seconds: int = Field(86400, ge=60)


class EdgeConfig(BaseModel):
    """Everything the edge needs that is not per-call data (numbers, workers, subscribers)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(5060, ge=1, le=65535)
    tcp: bool = True
    realm: str = "sori"  # digest realm of agents' phones; the stored HA1 depends on it
    # Callers admitted per worker. pjsua2 allows 4 calls per process and each caller may need a second
    # leg (to an agent) in the same worker, so 2 callers fill it; an IVR-only deployment may set 4.
    worker_call_cap: int = Field(2, ge=1, le=4)
    max_message_bytes: int = Field(8192, ge=1024, le=65535)
    pike: PikeConfig = PikeConfig()
    auth_ban: AuthBanConfig = AuthBanConfig()
    scanners: tuple[str, ...] = DEFAULT_SCANNERS
    worker_ping_seconds: int = Field(0, ge=0)  # 0: Kamailio does not probe workers; the control process does
    dialog_timeout_seconds: int = Field(4 * 3600, ge=60)
    invite_timeout_seconds: int = Field(30, ge=1)  # no final answer from a worker or phone within this: 408
    # host:port of the gateway that carries callbacks to citizens' phones (a SIP trunk); None: no callbacks out
    pstn_gateway: str | None = Field(None, pattern=r"^[A-Za-z0-9.\-]+:[0-9]{1,5}$")
    # Source addresses (or networks) of the carriers' trunks: only a call from one of them arrives with
    # X-Sori-Trusted-Caller, so only its caller number may open personal self-service without a PIN. The
    # default trusts the machine itself (the demo's simulated callers); a LAN's phones are never trunks.
    trusted_trunks: tuple[str, ...] = ("127.0.0.1",)
    children: int = Field(4, ge=1, le=64)
    shared_memory_mb: int = Field(64, ge=16)
    private_memory_mb: int = Field(8, ge=2)
    log_level: int = Field(1, ge=-5, le=3)  # Kamailio's debug level: 1 notices and worse, 3 debug
    binary: Path = Path("/usr/sbin/kamailio")
    modules_dir: Path = KAMAILIO_MODULES

    @field_validator("trusted_trunks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Each an IPv4 address or network (``198.51.100.7``, ``198.51.100.0/28``), written as Kamailio reads it."""
        return tuple(str(ipaddress.IPv4Network(v.strip(), strict=True)).removesuffix("/32") for v in value)
