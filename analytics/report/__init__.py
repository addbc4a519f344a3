"""Trend reports as self-contained Korean HTML (plotly charts inlined): ``sori report``."""
