"""Dashboards: live supervisor views and analyst reports in Dash (dashboard issue)."""
