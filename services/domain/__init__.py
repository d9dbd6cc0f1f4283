"""Pure functions from tidy frames to the figures the pages show; no I/O, no streamlit."""
