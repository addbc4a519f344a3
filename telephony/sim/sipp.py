"""SIPp scenarios for a citizen's call, built from small parts: INVITE/200/ACK, keys, pauses, RTP, BYE.

Used by the call simulator (``sori simulate``), the benchmarks and the end-to-end tests.

The ACK and BYE follow the dialog's route set (``rrs="true"``, ``[next_url]``, ``[routes]``), so the same
scenario works straight at a media worker and through the Kamailio edge.
"""

from __future__ import annotations

DTMF = "/usr/share/sip-tester/dtmf_2833_{}.pcap"

#: The citizen's offer and answer: G.711 μ-law and RFC 2833 telephone events.
CITIZEN_SDP = """v=0
o=citizen 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
"""


def invite(service: str, caller: str, headers: dict[str, str] | None = None, on_answer: str = "") -> str:
    """INVITE, the answer and its ACK; ``on_answer`` (e.g. ``stream(...)``) runs between the 200 and the ACK.

    A step placed there has run before the far end can act on the ACK: SIPp takes a BYE that arrives while
    a step after the ACK is still pending as unexpected and aborts the call.
    """
    extra = "".join(f"{name}: {value}\n" for name, value in (headers or {}).items())
    return f"""<send retrans="500"><![CDATA[
INVITE sip:{service}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "citizen" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{service}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
{extra}Content-Type: application/sdp
Content-Length: [len]

{CITIZEN_SDP}]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="200" rtd="true" rrs="true"/>
{on_answer}<send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:{caller}@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
"""


def key(digit: str, after_ms: int) -> str:
    """Send one RFC 2833 key (a SIPp capture) ``after_ms`` from the previous step.

    Replaying one capture twice repeats its RTP timestamp, which a receiver rightly takes as one event:
    a scenario should not send the same digit twice.
    """
    play = f'<nop><action><exec play_pcap_audio="{DTMF.format(digit)}"/></action></nop>'
    return f'<pause milliseconds="{after_ms}"/>{play}\n'


def pause(ms: int) -> str:
    return f'<pause milliseconds="{ms}"/>\n'


BYE = """<send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>
"""

OK_TO_BYE = """<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
"""

AWAIT_BYE = '<recv request="BYE" timeout="20000"/>\n' + OK_TO_BYE


def scenario(name: str, *parts: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<scenario name="{name}">\n{"".join(parts)}</scenario>\n'


def stream(wav: str, loops: int = -1) -> str:
    """Start sending ``wav`` (8 kHz μ-law) as RTP, ``loops`` times (-1: in a loop until the call ends).

    The scenario goes on at once: the stream plays beside the pauses and messages that follow."""
    return f'<nop><action><exec rtp_stream="{wav},{loops},0"/></action></nop>\n'


def bye_with_cause(cause: int, text: str) -> str:
    """A BYE carrying ``Reason: Q.850;cause=N`` (RFC 3326), as a mobile network sends when a line fails."""
    return BYE.replace("Max-Forwards: 70\n", f'Reason: Q.850;cause={cause};text="{text}"\nMax-Forwards: 70\n', 1)


def answering_phone(tone_wav: str) -> str:
    """A citizen's phone behind the PSTN gateway: answers the callback, talks (a tone), awaits the BYE."""
    return scenario(
        "citizen answers a callback",
        f"""<recv request="INVITE" crlf="true" rrs="true"/>
<send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:citizen@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
<send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:citizen@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

{CITIZEN_SDP}]]></send>
<recv request="ACK" crlf="true"/>
{stream(tone_wav)}{AWAIT_BYE.replace('timeout="20000"', 'timeout="90000"')}""",
    )
