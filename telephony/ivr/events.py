"""Events a media worker feeds into an ``IvrSession`` (what happened on the call)."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.bills.port import Bill
from integrations.certificates.port import CertificateReceipt


@dataclass(frozen=True)
class Started:
    """The call was answered; the session may speak."""


@dataclass(frozen=True)
class Digit:
    """One DTMF key (RFC 2833). Anything but one of 0-9 * # counts as invalid input, never an error."""

    key: str


@dataclass(frozen=True)
class PromptDone:
    """A Play finished. Informational: the session never waits for it (see ``actions``)."""


@dataclass(frozen=True)
class InputTimeout:
    """A CollectDigits timed out without a key."""


@dataclass(frozen=True)
class PortResult:
    """The answer of the integration port a ``SelfService`` action called.

    ``value`` None with ``error`` None means "nothing found"; ``error`` set means the port failed
    (unreachable, timed out): the caller hears an apology and goes to the step's ``on_failure``.
    """

    value: Bill | CertificateReceipt | None = None
    error: str | None = None


@dataclass(frozen=True)
class PinAnswer:
    """The case store's answer to a ``PinRequest``: ``verified`` (checked, or changed), ``wrong``, ``locked``,
    ``no-pin``, a refused new PIN (``format``, ``trivial``, ``mismatch``), or ``error`` (the store failed)."""

    outcome: str


Event = Started | Digit | PromptDone | InputTimeout | PortResult | PinAnswer
