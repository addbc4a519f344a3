"""The agents' web console at ``/console/``: sessions, login and the shell page (issue 14)."""
