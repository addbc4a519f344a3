"""What the console needs from the rest of Sori: the agents' accounts (``Sessions``) and whether an agent is
on a call now (``OnCall``). ``DeskUnavailable`` is how the desk port (``console.desk_port.AgentDesk``, apart
because it speaks Twisted and this module is imported by pure code) fails when telephony is off.

The composition root hands in adapters: the case store's sign-in service (``AgentSessions``) behind
``Sessions``, and the desk behind ``OnCall`` and ``AgentDesk``. The console imports no database code.
"""

from __future__ import annotations

from collections.abc import Callable

from kernel.accounts import LoginRefused as LoginRefused
from kernel.accounts import Sessions as Sessions
from kernel.accounts import Viewer as Viewer
from kernel.errors import DomainError

#: Is this agent (by id) on a call right now? A console session never expires while it says yes.
OnCall = Callable[[int], bool]


class DeskUnavailable(DomainError):
    """Telephony is not running on this server: nobody's state can change."""

    code = "telephony-unavailable"
