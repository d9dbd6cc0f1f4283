"""Streamlit rendering pieces shared by the pages, and the caching edge in front of services."""
