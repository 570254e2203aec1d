"""Shared Streamlit pieces: data access with caching, the filter sidebar, KPI row, charts, theme."""
