"""Unit tests of transcription's pure parts: Korean normalisation and the character error rate."""
