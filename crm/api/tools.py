"""The agent tools behind the API: the integrations' ports, and how a tool call runs without holding anything.

A tool route's handler does its checks in the request's own short unit of work (who asks, which contact,
which citizen), then answers ``Later``: the port's blocking call runs on the tool thread pool (``call``: never
the reactor, never a database thread, so a slow or dead government system cannot starve the case store), and
the use is recorded on the contact and its case in a second short unit of work (``write``). A call that fails
is recorded too (unavailable, refused) before its error reaches the agent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from twisted.internet import defer
from twisted.python.failure import Failure

from crm.cases.tool_uses import Outcome, Tool, record_tool_use
from crm.store.uow import SqlUnitOfWork
from integrations.bills.port import BillLedger
from integrations.certificates.port import CertificateIssuer
from integrations.errors import ServiceUnavailable
from integrations.public_services.port import PublicServiceDirectory
from kernel.actor import Actor
from kernel.errors import DomainError, NotFound
from kernel.http.errors import ApiError
from kernel.http.kit import Later, Reply

T = TypeVar("T")
P = TypeVar("P")


@dataclass
class AgentTools:
    public_services: PublicServiceDirectory | None  # None: that tool is disabled (its routes answer 503)
    certificates: CertificateIssuer | None
    bills: BillLedger | None
    call: Callable[..., defer.Deferred[Any]]  # a blocking port call, on the tool thread pool
    write: Callable[[Callable[[SqlUnitOfWork], Any]], defer.Deferred[Any]]  # a committed unit of work


@dataclass(frozen=True)
class Use:
    """What one tool use records: the contact, and the words for the timeline (no personal data)."""

    interaction_id: int | None  # None: no contact given (anonymous search): nothing is recorded
    tool: Tool
    action: str
    summary: str


@dataclass(frozen=True)
class Told:
    """How a successful call reads on the timeline."""

    detail: str
    ref: str | None = None
    outcome: Outcome = Outcome.OK


def one_line(text: str) -> str:
    """Words for the timeline on one line: what an agent typed or a system answered may hold line breaks."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def available(tools: AgentTools | None) -> AgentTools:
    if tools is None:
        raise ApiError("tools-unavailable", "agent tools are not configured on this server")
    return tools


def configured(port: P | None, tool: str) -> P:
    """The tool's port; 503 ``tools-unavailable`` when that tool is disabled on this server."""
    if port is None:
        raise ApiError("tools-unavailable", f"the {tool} tool is not configured on this server")
    return port


def run_tool(
    tools: AgentTools,
    actor: Actor,
    now: dt.datetime,
    use: Use,
    call: Callable[[], T],
    told: Callable[[T], Told],
    reply: Callable[[T], Reply],
) -> Later:
    """The ``Later`` of a tool route: ``call`` on the tool pool, the use recorded, then ``reply`` of the result."""

    def record(outcome: Outcome, detail: str, ref: str | None) -> defer.Deferred[Any]:
        if use.interaction_id is None:
            return defer.succeed(None)
        iid = use.interaction_id

        def write(uow: SqlUnitOfWork) -> None:
            record_tool_use(
                uow,
                actor,
                now,
                interaction_id=iid,
                tool=use.tool,
                action=use.action,
                summary=one_line(use.summary),
                outcome=outcome,
                outcome_detail=one_line(detail),
                ref=ref,
            )

        return tools.write(write)

    def succeeded(result: T) -> defer.Deferred[Reply]:
        said = told(result)
        d = record(said.outcome, said.detail, said.ref)
        d.addCallback(lambda _: reply(result))
        return d

    def failed(failure: Failure) -> defer.Deferred[Any]:
        error = failure.value
        if not isinstance(error, DomainError):
            return defer.fail(failure)
        outcome = Outcome.UNAVAILABLE if isinstance(error, ServiceUnavailable) else Outcome.REFUSED
        if isinstance(error, NotFound):
            outcome = Outcome.NOT_FOUND
        d = record(outcome, error.message[:200], None)
        d.addCallback(lambda _: failure)  # the agent gets the error, once its record is kept
        return d

    def run() -> defer.Deferred[Reply]:
        d: defer.Deferred[Any] = tools.call(call)
        d.addCallbacks(succeeded, failed)
        return d

    return Later(run)
