"""The call simulator: real SIP callers (SIPp) at a rate per center, and agent bots that answer on real
softphones, talk for a sampled handle time, transfer some calls, hang up and write notes.

``plan`` holds the pure decisions (who calls, what a bot does with a call), ``sipp`` the caller scenarios,
``bots`` the agent bots (HTTP API clients), ``service`` the Twisted service that runs it all: started by
``sori simulate`` against a running system, and by ``sori up --demo`` so a newcomer sees a live center.
"""
