"""Integration tests of classification and routing (``analytics.classify``) on the shared petitions."""
