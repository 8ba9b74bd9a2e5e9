"""Data and definitions: every KPI's definition from the registry, the journey definitions, the
disclosure rules, the data cut-off, the latest load with its rejected rows, the load history and
the data contracts."""

import streamlit as st

from dashboard import components, data, formatting
from dashboard.narrative import data_definitions as narrative
from dashboard.narrative import published as published_narrative
from dashboard.narrative import spc as spc_narrative
from pipelines.definitions import reference
from pipelines.definitions.contracts import CONTRACTS

info = data.build_info()
definitions = data.kpi_definitions()
recommendations = data.recommendations()
recommendation_titles = dict(zip(recommendations.get_column("id"),
                                 recommendations.get_column("short_title"), strict=True))

st.title("Data and definitions")
st.write(
    "How every figure in this product is defined, how people are protected from being "
    "identified, how recent the data is, and what happened when it was last loaded."
)
st.markdown(
    "- [Data cut-off](#data-cut-off)\n- [Indicator definitions](#indicator-definitions)\n"
    "- [Journeys: what happened after each release](#journeys)\n"
    "- [Statistical process control](#spc)\n"
    "- [Published figures beside ours](#published)\n"
    "- [Disclosure control](#disclosure-control)\n- [Latest load](#latest-load)\n"
    "- [Load history](#load-history)\n- [Data contracts](#data-contracts)"
)

st.header("Data cut-off", anchor="data-cut-off")
st.markdown(narrative.cutoff_text(info.get("data_cutoff"), info.get("built_at"),
                                  info.get("source"), bool(info.get("synthetic"))))

st.header("Indicator definitions", anchor="indicator-definitions")
st.write(
    f"The {definitions.height} indicators below come from one registry, the single source of "
    "truth for the pipeline, every page and every download. Every indicator is counted per "
    "release of an adult who was in drug or alcohol treatment in prison at release, by "
    "financial year (April to March), quarter and 3-year rolling period."
)
for kpi in definitions.iter_rows(named=True):
    with st.expander(kpi["title"]):
        st.markdown(narrative.kpi_markdown(kpi, recommendation_titles))
components.chart_block(
    "All indicator definitions",
    "The whole registry as one table.",
    None,
    narrative.definitions_table(definitions),
    key="kpi-definitions",
)

st.header("Journeys: what happened after each release", anchor="journeys")
st.markdown("\n".join(f"- **{name}.** {text}" for name, text in narrative.JOURNEY_RULES))
st.write("Where a definition is a choice, it is named here with its setting and why. Every "
         "download carries the same choices in its definition line.")
components.chart_block(
    "Definition choices",
    "Each choice in force, what it does and whether it matches OHID's published measure.",
    None,
    narrative.definition_choices_table(),
    key="definition-choices",
)

st.header("Statistical process control", anchor="spc")
st.write(spc_narrative.SPC_DEFINITION)
st.markdown("\n".join(f"{number}. {rule}"
                      for number, rule in enumerate(spc_narrative.SPC_RULES, start=1)))
st.write(spc_narrative.SPC_PRECEDENCE)
london_spc = spc_narrative.spc_table(
    data.spc_latest("london", reference.LONDON_CODE),
    dict(definitions.select("id", "title").iter_rows()),
    dict(definitions.select("id", "unit").iter_rows()))
components.chart_block(
    "London: variation and assurance in the latest quarter",
    spc_narrative.spc_summary(london_spc, "London"),
    None,
    london_spc,
    spc_narrative.SPC_DEFINITION,
    key="spc-london",
)

st.header("Published figures beside ours", anchor="published")
st.write("OHID publishes continuity of care on Fingertips. The comparators extract (written by "
         "`python -m pipelines fingertips`) brings those figures in; here they stand beside "
         "ours for the same year.")
coc = data.kpi_definition("coc_21d")
coc_names = tuple(n.strip() for n in (coc.get("comparator_names") or "").split(";") if n.strip())
published = data.published_comparators([reference.LONDON_CODE, reference.ENGLAND_CODE])
london_published = published_narrative.reconciliation(
    data.kpi_values(kpi_id="coc_21d", area_type="london", breakdown="all", period_type="year"),
    published, reference.LONDON_CODE, coc_names, info.get("data_cutoff"))
england_note = published_narrative.england_latest_note(
    published, coc_names, data.latest_complete_year(), reference.ENGLAND_CODE)
if england_note:
    st.info(england_note)
components.chart_block(
    "London: continuity of care, published and ours",
    published_narrative.summary(london_published, "London"),
    None,
    london_published,
    "Continuity of care (21 days): OHID's published value (Fingertips) beside this product's.",
    key="published-london",
)

st.header("Disclosure control", anchor="disclosure-control")
st.write("Nothing published can identify a person. These rules are applied once, in the "
         "pipeline, before anything is published; every page and download shows only what "
         "they allow.")
st.markdown("\n".join(f"{number}. {rule}"
                      for number, rule in enumerate(narrative.disclosure_rules(), start=1)))

runs = data.load_runs()
st.header("Latest load", anchor="latest-load")
if runs.is_empty():
    st.info("There is no load history in this warehouse.")
else:
    latest = runs.row(0, named=True)
    cols = st.columns(4)
    cols[0].metric("Rows read", f"{latest['rows_read']:,}")
    cols[1].metric("Rows loaded", f"{latest['rows_loaded']:,}")
    cols[2].metric("Rows rejected", f"{latest['rows_rejected']:,}")
    cols[3].metric("Exact duplicates (loaded once)", f"{latest['duplicates']:,}")
    st.write(
        f"{latest['files']} files loaded on {latest['finished_at']:%-d %B %Y at %H:%M} UTC. "
        "Every row read is either loaded, rejected with a reason, or an exact duplicate of a "
        "row that was loaded."
    )
    st.dataframe(
        data.load_files(latest["run_id"]),
        hide_index=True,
        width="stretch",
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
            f"{reasons.get_column('rows').sum():,} rows broke a data contract and were not "
            "loaded. They are counted below by file, column and reason; the first row is "
            "numbered as a spreadsheet shows it (the header is row 1). Values are never shown."
        )
        reasons_table = reasons.rename({
            "extract": "Extract", "path": "File", "column": "Column", "reason": "Reason",
            "rows": "Rows", "first_row": "First row",
        })
        st.dataframe(reasons_table, hide_index=True, width="stretch", key="reject-reasons")
        rejected = data.rejected_rows(latest["run_id"]).rename({
            "extract": "Extract", "path": "File", "row": "Row", "column": "Column",
            "reason": "Reason"})
        with st.expander(f"Every rejected row (first {rejected.height:,})"):
            st.dataframe(rejected, hide_index=True, width="stretch", key="rejected-rows")
        st.download_button(
            "Download CSV: rejected rows",
            formatting.csv_bytes(rejected, "Rejected rows, latest load",
                                 "rows that broke a data contract (values never shown)",
                                 info.get("data_cutoff"), bool(info.get("synthetic"))),
            file_name="rejected-rows.csv", mime="text/csv", icon=":material/download:",
            on_click="ignore", key="download-rejected-rows",
        )

    st.header("Load history", anchor="load-history")
    st.write("Every successful load, newest first. A failed load changes nothing, so it does "
             "not appear here.")
    st.dataframe(runs.drop("run_id"), hide_index=True, width="stretch", column_config={
        "started_at": "Started (UTC)", "finished_at": "Finished (UTC)",
        "data_cutoff": "Data cut-off", "synthetic": "Synthetic", "files": "Files",
        "rows_read": "Rows read", "rows_loaded": "Loaded", "rows_rejected": "Rejected",
        "duplicates": "Duplicates",
    })

st.header("Data contracts", anchor="data-contracts")
st.write(
    "Each extract is a CSV (UTF-8, with or without BOM), an XLSX sheet or a Parquet file, "
    "matched by the start of its file name. Column names are matched ignoring case and "
    "surrounding spaces; unknown extra columns are ignored and reported. A row that breaks a "
    "rule is rejected with its file, row, column and reason, and the good rows still load."
)
for contract in CONTRACTS:
    with st.expander(f"{contract.title} (`{contract.name}*`)"):
        st.write(contract.description)
        st.table([
            {"Column": c.heading, "Meaning": c.description, "Rule": c.rule_text()}
            for c in contract.columns
        ])
        for rule in contract.row_rules:
            st.write(f"- Rejected: {rule.reason}.")
