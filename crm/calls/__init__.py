"""What the ACD knows of calls and agents, kept for the supervisors' history and the board's restart."""
