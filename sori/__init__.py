"""Sori's composition root: configuration, the ``sori`` command and the wiring of every service."""
