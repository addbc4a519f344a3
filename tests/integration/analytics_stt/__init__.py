"""Integration tests of transcription: the bundled Whisper model assembled for real, real Korean speech."""
