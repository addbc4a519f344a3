"""Integration tests of the media workers and their pool: real SIP and RTP over loopback."""
