"""Staffing: how many agents an interval needs, and what service the agents scheduled would give.

Pure code, no I/O. ``erlang_c`` (M/M/N: callers wait forever) and ``erlang_a`` (M/M/N+M: callers hang up after
an exponential patience) predict a queue's service; ``simulation`` is a discrete-event simulation of the same
queue that checks both; ``forecast`` turns the history's 15-minute tallies into a day's expected calls, AHT and
patience; ``planner`` turns a forecast and a target into agents needed beside the agents scheduled;
``schedule_csv`` reads the schedules planners import (Korean template). The measures of the history are defined
in ``telephony.acd.kpi``; this package never redefines them.
"""
