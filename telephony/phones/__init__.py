"""Agents' phones: real SIP user agents that register at the edge and take the calls the ACD offers them.

``softphone`` is one pjsua2 process hosting up to 4 agents (digest REGISTER to the Kamailio edge, auto-answer,
a WAV played as the agent's voice, recordings of what the agent hears, hang-up after a talk time), driven by
JSON lines on stdin and reporting JSON events on stdout (``protocol`` holds both shapes). ``fleet`` is the
Twisted service that runs as many of those processes as a set of agents needs, for the integration tests,
the demo and the call simulator; the control process itself never loads pjsua2.
"""
