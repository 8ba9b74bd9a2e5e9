"""Board pack and downloads: the governance board pack (PDF, HTML) and the data workbook."""

import streamlit as st

from dashboard import data, filters
from dashboard.exports import content, pdf, webpage, workbook
from pipelines.definitions.published import LONDON

period = filters.period()
las = data.local_authorities()
scopes = {LONDON: "London", **dict(zip(las.get_column("code"), las.get_column("name"),
                                         strict=True))}

st.title("Board pack and downloads")
st.write(
    "Papers for OHID and GLA governance meetings, made from the published figures in one "
    "click: a board pack (PDF to circulate, or a self-contained web page) and a data workbook "
    "with one sheet per indicator for commissioners' own analysis. Disclosure control holds in "
    "every file: suppressed figures appear only as *."
)
scope = st.selectbox("Scope", list(scopes), format_func=scopes.get, key="pack_scope",
                     help="London, or one local authority.")
st.caption(f"Financial year {period} (change it in the sidebar).")

if st.button("Make the board pack", type="primary", icon=":material/description:"):
    with st.spinner("Drawing the charts and laying out the pack ..."):
        pack = content.build_pack(period, scope)
        st.session_state["pack_files"] = {
            "pdf": pdf.to_pdf(pack),
            "html": webpage.to_html(pack).encode("utf-8"),
            "stem": pack.file_stem,
            "label": f"{pack.scope_name}, {pack.period}",
        }

files = st.session_state.get("pack_files")
if files:
    st.success(f"Board pack ready: {files['label']}.")
    left, right = st.columns(2)
    left.download_button("Download the board pack (PDF)", files["pdf"],
                         file_name=f"{files['stem']}.pdf", mime="application/pdf",
                         icon=":material/picture_as_pdf:", on_click="ignore")
    right.download_button("Download the board pack (web page)", files["html"],
                          file_name=f"{files['stem']}.html", mime="text/html",
                          icon=":material/html:", on_click="ignore")

st.header("Data workbook")
st.write(f"Every indicator for {scopes[scope]}: numerator, denominator, value, 95% and 99.8% "
         "intervals, benchmarks and trend, with definitions and notes.")
st.download_button(
    # Built when the button is pressed, not on every run of the page.
    "Download the workbook (Excel)", lambda: workbook.to_xlsx(scope, period),
    file_name=workbook.file_name(scope, period),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:", on_click="ignore",
)
