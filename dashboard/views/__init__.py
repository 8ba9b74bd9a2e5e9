"""Pages: one small file per page, run by Streamlit (site.PAGES); layout only."""
