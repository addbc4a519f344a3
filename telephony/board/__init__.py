"""The board: a read model of every center's queues and agents, kept from CTI events only.

Start at :class:`~telephony.board.board.Board`: subscribe it to the CTI bus, ask ``center(code)`` or ``centers()``.
Pure Python (no I/O, no twisted): the supervisors' wallboard and the agents' console read it without touching
the desk.
"""

from telephony.board.board import Board
from telephony.board.model import AgentFigures, CenterState, QueueFigures, QueueState

__all__ = ["AgentFigures", "Board", "CenterState", "QueueFigures", "QueueState"]
