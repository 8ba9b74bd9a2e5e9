"""Streamlit entrypoint: a router (st.navigation) over one small file per page in views/.

It sets the page up, shows the synthetic-data label and the data cut-off on every page, keeps
the shared filters in the URL, and stops with a clear message when there is no warehouse yet or
when it holds no figures (then only the Data and definitions page, which says why, is drawn).
"""

from pathlib import Path

import streamlit as st

from dashboard import auth, components, data, filters, site

ICON = Path(__file__).parent / "assets" / "icon.png"  # local: no icon fetched from the web

st.set_page_config(
    page_title="London Continuity of Care Outcomes",
    page_icon=str(ICON),
    layout="wide",
)

# One flat list: st.navigation's grouped sections nest list items in a way screen readers
# (and axe) reject.
page = st.navigation([
    st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path,
            default=spec == site.DEFAULT_PAGE)
    for spec in site.PAGES
])
st.sidebar.caption("London Continuity of Care Outcomes")
try:
    info = data.build_info()
except data.WarehouseMissing as missing:
    st.title("London Continuity of Care Outcomes")
    st.error(str(missing), icon=":material/database_off:")
    st.stop()
components.data_banner(info)
auth.sidebar()
if not data.has_published_figures():
    st.error(components.NO_FIGURES_TEXT, icon=":material/database_off:")
    if page.url_path != site.DATA_PAGE.url_path:
        st.title(page.title)
        st.stop()
else:
    filters.initialise()
page.run()
