"""Benchmarks of the case store: one command each, printing the machine and the figures, then one JSON line.

Run from the repository root, e.g. ``.venv/bin/python -m bench.screen_pop --quick``; see bench/README.md.
"""
