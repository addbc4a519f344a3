"""Property: any sequence of keys, timeouts and port answers ends the IVR in bounded steps, without raising."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.bills.port import Bill
from integrations.certificates.port import CertificateReceipt
from telephony.ivr import model as m
from telephony.ivr.actions import Enqueue, Hangup, SelfService, Transfer
from telephony.ivr.events import Digit, Event, InputTimeout, PortResult, PromptDone, Started
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.phrases import QueueWait
from telephony.ivr.session import CallContext, CenterStatus, IvrSession

FLOWS = load_flows(shipped_flows_dir())
ALL = [*FLOWS.centers.values(), FLOWS.default, *FLOWS.shared.values()]
MAX_EVENTS = 200

keys = st.one_of(st.sampled_from(list("0123456789*#")), st.text(max_size=3))
events = st.one_of(keys.map(Digit), st.just(InputTimeout()), st.just(PromptDone()))
port_answers = st.sampled_from(
    [
        PortResult(Bill("종합소득세", 1_234_560, dt.date(2026, 5, 31))),
        PortResult(CertificateReceipt("납세증명서", "R-2026-000001")),
        PortResult(None),
        PortResult(error="timeout"),
    ]
)
contexts = st.builds(
    CallContext,
    center=st.sampled_from(["ACRC110", "NTS126", "SEOUL120", "MOEL1350"]),
    dialled=st.just("110"),
    caller=st.sampled_from([None, "010-5000-0002"]),
    caller_area_code=st.sampled_from([None, "02", "051", "070"]),
    open_case=st.sampled_from([None, "2026-ACRC110-15"]),
    status=st.sampled_from(list(CenterStatus)),
    waits=st.dictionaries(
        st.sampled_from(["general", "tax-income", "traffic"]),
        st.builds(QueueWait, st.integers(0, 40), st.integers(0, 1200)),
    ),
    notice_heard=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL), contexts, st.lists(st.tuples(events, port_answers), max_size=MAX_EVENTS))
def test_any_input_ends_in_enqueue_transfer_or_hangup(
    flow: m.Flow, context: CallContext, script: list[tuple[Event, PortResult]]
) -> None:
    session = IvrSession(flow, context)
    pending = session.handle(Started())
    steps = 0
    script = list(script)
    while not session.done:
        steps += 1
        assert steps <= MAX_EVENTS, "the IVR did not end within the bound"
        event, answer = script.pop(0) if script else (InputTimeout(), PortResult(error="timeout"))
        feed: Event = answer if pending and isinstance(pending[-1], SelfService) else event
        pending = session.handle(feed)
    assert isinstance(session.outcome, Enqueue | Transfer | Hangup)
    assert session.handle(Digit("1")) == []
