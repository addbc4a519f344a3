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


class IntegrationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms: SmsConfig = SmsConfig()
