"""Unit tests of the IVR: flows, validation, interpreter, Korean phrases, ports."""
