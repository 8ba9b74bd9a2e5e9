"""Streamlit entrypoint: a router (st.navigation) over one small file per page in views/.

It sets the page up, shows the synthetic-data label and the data cut-off on every page, keeps
the shared filters in the URL, and stops with a clear message when there is no warehouse yet.
"""

from pathlib import Path

import streamlit as st

from dashboard import components, data, filters

VIEWS = Path(__file__).parent / "views"

st.set_page_config(
    page_title="London Continuity of Care Outcomes",
    page_icon=":material/monitoring:",
    layout="wide",
)

PAGES = [
    st.Page(VIEWS / "overview.py", title="London overview", icon=":material/map:",
            url_path="overview", default=True),
    st.Page(VIEWS / "data_definitions.py", title="Data and definitions",
            icon=":material/dataset:", url_path="data"),
]

page = st.navigation(PAGES)
st.sidebar.caption("London Continuity of Care Outcomes")
try:
    info = data.build_info()
except data.WarehouseMissing as missing:
    st.title("London Continuity of Care Outcomes")
    st.error(str(missing), icon=":material/database_off:")
    st.stop()
components.data_banner(info)
filters.initialise()
page.run()
