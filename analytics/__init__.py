"""Analytics: PII masking, Korean text pipeline, classification, trends and search (analytics issue)."""
