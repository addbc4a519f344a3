"""The SIP edge: a Kamailio that Sori configures, supervises and steers.

Kamailio is the only SIP process facing callers. Sori renders its configuration
from typed settings (:mod:`telephony.edge.kamcfg`), writes its data files
(:mod:`telephony.edge.tables`), runs it as a supervised child process
(:mod:`telephony.edge.process`) and drives it over its JSON-RPC control socket
(:mod:`telephony.edge.control`).
"""
