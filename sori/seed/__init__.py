"""Seed data: the 156 centers file and the demo data set (agents, citizens, cases)."""
