"""Data and definitions: the data contracts, the latest load and the load history."""

import streamlit as st

from dashboard import data
from pipelines.contracts import CONTRACTS

st.title("Data and definitions")

runs = data.load_runs()
latest = runs.row(0, named=True)

st.header("Latest load")
cols = st.columns(4)
cols[0].metric("Rows read", f"{latest['rows_read']:,}")
cols[1].metric("Rows loaded", f"{latest['rows_loaded']:,}")
cols[2].metric("Rows rejected", f"{latest['rows_rejected']:,}")
cols[3].metric("Exact duplicates (loaded once)", f"{latest['duplicates']:,}")
st.write(
    f"{latest['files']} files loaded on {latest['finished_at']:%d %B %Y at %H:%M} UTC. "
    "Every row read is either loaded, rejected with a reason, or an exact duplicate of a row "
    "that was loaded."
)
st.dataframe(
    data.load_files(latest["run_id"]),
    hide_index=True,
    column_config={
        "extract": "Extract", "path": "File", "rows_read": "Rows read",
        "rows_loaded": "Loaded", "rows_rejected": "Rejected", "duplicates": "Duplicates",
        "ignored_columns": "Unknown columns (ignored)",
    },
)

st.subheader("Rejected rows")
reasons = data.reject_reasons(latest["run_id"])
if reasons.is_empty():
    st.success("No rows were rejected in the latest load.")
else:
    st.write(
        "Rows that broke a data contract were not loaded. They are listed by file, row (as a "
        "spreadsheet shows it: the header is row 1) and column, with the reason. Values are "
        "never shown here."
    )
    st.dataframe(reasons, hide_index=True, column_config={
        "extract": "Extract", "path": "File", "column": "Column", "reason": "Reason",
        "rows": "Rows", "first_row": "First row",
    })
    with st.expander("Every rejected row (first 1,000)"):
        st.dataframe(data.rejected_rows(latest["run_id"]), hide_index=True)

st.header("Load history")
st.dataframe(runs.drop("run_id"), hide_index=True, column_config={
    "started_at": "Started (UTC)", "finished_at": "Finished (UTC)", "data_cutoff": "Data cut-off",
    "synthetic": "Synthetic", "files": "Files", "rows_read": "Rows read",
    "rows_loaded": "Loaded", "rows_rejected": "Rejected", "duplicates": "Duplicates",
})

st.header("Data contracts")
st.write(
    "Each extract is a CSV (UTF-8, with or without BOM), an XLSX sheet or a Parquet file, "
    "matched by the start of its file name. Column names are matched ignoring case and "
    "surrounding spaces; unknown extra columns are ignored and reported."
)
for contract in CONTRACTS:
    with st.expander(f"{contract.title} (`{contract.name}*`)"):
        st.write(contract.description)
        st.table([
            {"Column": c.heading, "Meaning": c.description, "Rule": c.rule_text()}
            for c in contract.columns
        ])
        for rule in contract.row_rules:
            st.write(f"- A row is rejected when {rule.reason}.")
