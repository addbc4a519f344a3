"""Agents: the people who log in (agents, supervisors, analysts, admins) and their skills."""
