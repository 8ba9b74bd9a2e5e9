"""Streamlit entrypoint: a router (st.navigation) over one small file per page in views/.

It sets the page up, shows the synthetic-data label and the data cut-off on every page, and
stops with a clear message when there is no warehouse yet.
"""

from pathlib import Path

import streamlit as st

from dashboard import components, data

VIEWS = Path(__file__).parent / "views"

st.set_page_config(
    page_title="London Continuity of Care Outcomes",
    page_icon=":material/monitoring:",
    layout="wide",
)

PAGES = [
    st.Page(VIEWS / "data_definitions.py", title="Data and definitions",
            icon=":material/dataset:", url_path="data", default=True),
]

page = st.navigation(PAGES)
try:
    info = data.build_info()
except data.WarehouseMissing as missing:
    st.title("London Continuity of Care Outcomes")
    st.error(str(missing), icon=":material/database_off:")
    st.stop()
components.data_banner(info)
page.run()
