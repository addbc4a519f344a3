"""The call counters (``crm.calls.tally``) as the other packages reach them: through the case store's door."""

from crm.calls.tally import BUSY_STATES as BUSY_STATES
from crm.calls.tally import INTERVAL_MINUTES as INTERVAL_MINUTES
from crm.calls.tally import SHORT_ABANDON_S as SHORT_ABANDON_S
from crm.calls.tally import STAFFED_STATES as STAFFED_STATES
from crm.calls.tally import WAIT_EDGES_S as WAIT_EDGES_S
from crm.calls.tally import CallTally as CallTally
from crm.calls.tally import StateTally as StateTally
from crm.calls.tally import interval_start as interval_start
from crm.calls.tally import tally_call as tally_call
