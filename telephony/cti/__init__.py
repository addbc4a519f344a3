"""CTI events: what happens to calls, queues and agents, published by the control process to its subscribers."""
