"""Trends over documents: volumes, surge keywords (급증 키워드), topics and seasonal comparison."""
