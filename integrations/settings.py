"""Configuration of the external systems (``[integrations.*]`` in sori.toml; ``SORI_INTEGRATIONS__SMS__…``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class SmsConfig(BaseModel):
    """The SMS gateway. With no ``base_url`` ``sori up`` runs the bundled reference service (a simulated
    carrier) on loopback and sends through it."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    base_url: str | None = Field(None, pattern=r"^https?://")  # a real gateway; none: the reference service
    reference_host: str = "127.0.0.1"
    reference_port: int = Field(0, ge=0, le=65535)  # 0: a free port picked at start
    api_key: SecretStr | None = None  # prefer the file; from the environment: SORI_INTEGRATIONS__SMS__API_KEY
    api_key_file: Path | None = None  # default <state>/secrets/sms-api.key (created 0600 for the reference)
    connect_timeout_s: float = Field(1.0, gt=0, le=30)
    read_timeout_s: float = Field(3.0, gt=0, le=60)
    deadline_s: float = Field(6.0, gt=0, le=120)  # one send, retries included, never takes longer
    attempts: int = Field(3, ge=1, le=10)  # retried only with the message's idempotency key
    breaker_failures: int = Field(5, ge=1, le=100)  # failed sends in a row that open the circuit
    breaker_reset_s: float = Field(30.0, gt=0, le=3600)  # then one trial send after this long


class ToolConfig(BaseModel):
    """One agent tool's external system (보조금24 / 정부24 issuing / the bill ledgers). With no ``base_url`` the
    tool talks to the bundled reference service that ``sori up`` runs (``sori refsvc``).

    Timeouts are short on purpose: an agent is waiting with a citizen on the line. A read times out within
    ``deadline_s`` (retries included) and after ``breaker_failures`` failures in a row the circuit opens, so
    further calls fail at once with a Korean message until one trial call after ``breaker_reset_s``."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    base_url: str | None = Field(None, pattern=r"^https?://")  # the real system's base URL; none: the reference
    api_key: SecretStr | None = None  # prefer the file; SORI_INTEGRATIONS__<TOOL>__API_KEY
    api_key_file: Path | None = None  # default <state>/secrets/<tool>-api.key (created 0600 for the reference)
    ca_file: Path | None = None  # a private CA bundle for the real system's TLS certificate
    client_cert_file: Path | None = None  # mutual TLS: the agency-issued client certificate (PEM, key included)
    connect_timeout_s: float = Field(0.5, gt=0, le=30)
    read_timeout_s: float = Field(1.5, gt=0, le=60)
    deadline_s: float = Field(2.0, gt=0, le=120)  # one call, retries included, never takes longer
    attempts: int = Field(2, ge=1, le=10)  # reads, and writes carrying an idempotency key, are retried
    breaker_failures: int = Field(3, ge=1, le=100)
    breaker_reset_s: float = Field(15.0, gt=0, le=3600)


class ReferenceConfig(BaseModel):
    """The bundled reference service (``sori refsvc``) playing every tool's external system on loopback."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)  # 0: a free port picked at start
    verify_base_url: str | None = Field(None, pattern=r"^https?://")  # printed in certificates' QR codes


class IntegrationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms: SmsConfig = SmsConfig()
    public_services: ToolConfig = ToolConfig()
    certificates: ToolConfig = ToolConfig()
    bills: ToolConfig = ToolConfig()
    reference: ReferenceConfig = ReferenceConfig()
