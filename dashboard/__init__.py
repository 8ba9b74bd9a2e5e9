"""Dashboard: the read-only Streamlit app over the published warehouse (DESIGN §2, §9)."""
