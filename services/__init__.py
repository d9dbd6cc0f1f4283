"""Everything that is not drawing: FHIR access, FHIR to DataFrames, domain figures, roles, audit.

Nothing in this package imports streamlit, so every function runs in a plain script or test.
"""
