"""Recommendations: the two foundations and nine recommendations (§1) for London, a borough or
a prison; their history, milestones and the KPIs that evidence them; the EbE group's ratings
beside the partners' own; and forms to record an update or a review.

Text people typed (milestones, comments) is shown with st.dataframe and st.text, never as
Markdown or HTML.

Over 400 lines because it is the one page that writes: besides the tracker's layout it holds the
write callbacks (record, change, withdraw, import) and the tabs around the forms, which run in
Streamlit's callback order and read this page's choices; the forms themselves are
dashboard/forms.py.
"""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import auth, components, data, filters, formatting, forms, store
from dashboard import tracker as model
from dashboard.charts import recommendations as charts
from dashboard.narrative import recommendations as narrative
from pipelines.definitions.published import LONDON, PUBLISHED

SCOPE_KINDS = {LONDON: "London as a whole", "la": "A local authority", "prison": "A prison"}
LATEST_COMMENTS = 3
RECORD_PARAM, RECORD_REVIEW = "record", "review"  # ?record=review: the EbE group's way in
RECORD_ANCHOR = "record"
TABLE_ROW_PX = 35  # st.dataframe's row height: the grid is sized to show every item
TABLE_BORDER_PX = 3
TRACKER_DEFINITION = ("Latest partner update for each item and place (status and the partners' "
                      "own red/amber/green rating), and the latest EbE review (rating 1 = no "
                      "difference for people leaving prison, 5 = a great deal).")


# --- Writing (callbacks run before the page is drawn again, so it shows the new entry) --------

def _values(prefix: str, fields: tuple[str, ...]) -> dict[str, object]:
    return {name: st.session_state.get(f"{prefix}-{name}") for name in fields}


def _result(key: str, outcome: tuple[str, str]) -> None:
    st.session_state[f"{key}-result"] = outcome


def _record(kind: str) -> None:
    contract = store.CONTRACT_BY_KIND[kind]
    fields = tuple(c for c in contract.column_names if c != contract.key)
    try:
        written = store.app_store().record(kind, _values(kind, fields), auth.current_actor())
    except store.StoreError as error:
        _result(kind, ("error", str(error)))
        return
    _result(kind, ("success", f"Recorded {store.KIND_TITLES[kind]} {written.entry_id}. It is "
                              "now in the tracker above."))
    for name in forms.text_fields(contract):
        st.session_state[f"{kind}-{name}"] = ""


def _edit(entry_id: str, kind: str, version: int) -> None:
    contract = store.CONTRACT_BY_KIND[kind]
    fields = tuple(c for c in contract.column_names if c != contract.key)
    try:
        written = store.app_store().edit(entry_id, _values(f"edit-{entry_id}", fields),
                                         auth.current_actor(), based_on_version=version)
    except store.StoreError as error:
        _result("edit", ("error", str(error)))
        return
    _result("edit", ("success", f"Saved version {written.version} of {entry_id}."))


def _withdraw(entry_id: str) -> None:
    reason = st.session_state.get(f"withdraw-{entry_id}-reason") or ""
    try:
        store.app_store().withdraw(entry_id, auth.current_actor(), reason)
    except store.StoreError as error:
        _result("edit", ("error", str(error)))
        return
    _result("edit", ("success", f"Withdrew {entry_id}. It stays in the audit log."))


def _import() -> None:
    entries_file = st.session_state.get("import-entries")
    audit_file = st.session_state.get("import-audit")
    if entries_file is None:
        _result("import", ("error", "Choose the entries CSV to import."))
        return
    try:
        result = store.app_store().import_csv(
            entries_file.getvalue(), auth.current_actor(),
            audit_file.getvalue() if audit_file is not None else None,
            source=entries_file.name)
    except store.StoreError as error:
        _result("import", ("error", str(error)))
        return
    outcome = "error" if result.rejected else "success"
    _result("import", (outcome, " ".join([result.summary(), *result.rejected[:20]])))


def _show_result(key: str) -> None:
    outcome = st.session_state.pop(f"{key}-result", None)
    if outcome is None:
        return
    level, message = outcome
    {"error": st.error, "warning": st.warning, "success": st.success}[level](message)


# --- Recording --------------------------------------------------------------------------------

def _recording_section() -> None:
    """The forms to record an update or a review, and to change, back up and move
    entries. The EbE group's review tab comes first when the link asked for it."""
    st.header("Record an update or a review", anchor=RECORD_ANCHOR)
    actor = auth.panel("page")
    scope_names = dict(zip(scope_table.get_column("scope"), scope_table.get_column("scope_name"),
                           strict=True))
    review_first = st.query_params.get(RECORD_PARAM) == RECORD_REVIEW
    names = ["Record a review", "Record an update"] if review_first else \
        ["Record an update", "Record a review"]
    tabs = dict(zip([*names, "Change or withdraw", "Back up and move"],
                    st.tabs([*names, "Change or withdraw", "Back up and move"]), strict=True))
    record_update, record_review = tabs["Record an update"], tabs["Record a review"]
    change, backup = tabs["Change or withdraw"], tabs["Back up and move"]

    for kind, tab, intro, refusal, submit in (
        (store.UPDATE, record_update,
         "For partners: record progress on one item in one place. Fields marked * are required.",
         "Only partner editors can record an update. Sign in with an account that has that role, "
         "or ask an administrator for it.", "Record update"),
        (store.REVIEW, record_review,
         "For the expert-by-experience group: how much difference has this item made for people "
         "leaving prison? Please leave names and details that could identify someone out of the "
         "comment.",
         "Only EbE reviewers can record a review. Sign in with an account that has that role, or "
         "ask an administrator for it.", "Record review"),
    ):
        with tab:
            st.write(intro)
            if not actor.can_record(kind):
                st.info(refusal)
            else:
                with st.form(f"{kind}-form"):
                    forms.draw(store.CONTRACT_BY_KIND[kind], kind, item_labels, scope_names, scope)
                    st.form_submit_button(submit, type="primary", on_click=_record, args=(kind,),
                                          key=f"{kind}-submit")
            _show_result(kind)

    with change:
        st.write("Entries recorded in this app can be corrected: each change is kept as a new "
                 "version, and an administrator can withdraw an entry (it stays in the audit log). "
                 "Updates and reviews from partner extracts are changed at their source.")
        editable = entries.filter(pl.col("kind").is_in(
            [kind for kind in store.TRACKER_KINDS if actor.can_record(kind)]))
        if store_problem or editable.is_empty():
            st.info("There are no entries recorded in this app that you can change."
                    if not store_problem else store_problem)
        else:
            labels = {r["entry_id"]:
                      f"{r['entry_id']} · {item_labels.get(r['recommendation_id'])} · "
                      f"{scope_names.get(r['scope'], r['scope'])} · version {r['version']}"
                      for r in editable.iter_rows(named=True)}
            entry_id = st.selectbox("Entry", list(labels)[::-1], format_func=labels.get,
                                    key="edit-entry")
            current = editable.filter(pl.col("entry_id") == entry_id).row(0, named=True)
            kind = current["kind"]
            st.dataframe(store.app_store().versions(entry_id), hide_index=True, width="stretch",
                         key="edit-versions")
            prefix = f"edit-{entry_id}"
            if actor.can_record(kind):
                with st.form(f"{prefix}-form"):
                    forms.draw(store.CONTRACT_BY_KIND[kind], prefix, item_labels, scope_names,
                               current["scope"], current)
                    st.form_submit_button("Save as a new version", on_click=_edit,
                                          args=(entry_id, kind, current["version"]),
                                          key=f"{prefix}-submit")
            if actor.can_withdraw:
                st.text_input("Reason for withdrawing (kept in the audit log)",
                              key=f"withdraw-{entry_id}-reason")
                st.button("Withdraw this entry", on_click=_withdraw, args=(entry_id,),
                          key=f"withdraw-{entry_id}", icon=":material/delete:")
        _show_result("edit")

    with backup:
        if not actor.can_import:
            st.info("Only an administrator can export or import the entries recorded in this app.")
        elif store_problem:
            st.info(store_problem)
        else:
            counts = store.app_store().counts()
            st.write(f"This app's store holds {counts[store.UPDATE]} updates and "
                     f"{counts[store.REVIEW]} reviews, with {counts['audit']} audit log rows.")
            entries_csv, audit_csv = store.app_store().export_csv()
            left, right = st.columns(2)
            left.download_button("Download entries (CSV)", entries_csv,
                                 file_name=store.ENTRIES_FILE, mime="text/csv",
                                 key="export-entries", on_click="ignore",
                                 icon=":material/download:")
            right.download_button("Download audit log (CSV)", audit_csv, file_name=store.AUDIT_FILE,
                                  mime="text/csv", key="export-audit", on_click="ignore",
                                  icon=":material/download:")
            st.file_uploader("Entries CSV to import", type="csv", key="import-entries")
            st.file_uploader("Audit log CSV to import (optional)", type="csv", key="import-audit")
            st.button("Import", on_click=_import, key="import-submit", icon=":material/upload:")
            st.dataframe(store.app_store().audit_log(), hide_index=True, width="stretch",
                         key="audit-log")
        _show_result("import")


# --- The choice of place ----------------------------------------------------------------------

period = filters.period()
show_intervals = filters.intervals()
scope_kind = st.sidebar.radio("Show the tracker for", list(SCOPE_KINDS),
                              format_func=SCOPE_KINDS.get, key="scope", bind="query-params")
prison_table = data.prisons()
if scope_kind == "la":
    scope = filters.area()
elif scope_kind == "prison":
    prison_names = dict(zip(prison_table.get_column("code"), prison_table.get_column("name"),
                            strict=True))
    scope = st.sidebar.selectbox("Prison", list(prison_names),
                                 format_func=lambda code: f"HMP {prison_names[code]}",
                                 key="prison", bind="query-params")
else:
    scope = model.LONDON
place = model.place_name(scope)

recommendation_table = data.recommendations()
item_table = model.items(recommendation_table)
item_labels = dict(zip(item_table.get_column("recommendation_id"), item_table.get_column("item"),
                       strict=True))
store_problem = None
try:
    entries = store.app_store().entries()
except store.StoreUnavailable as unavailable:
    entries, store_problem = store.empty_entries(), str(unavailable)
updates = model.updates(entries)
reviews = model.reviews(entries)
scope_table = model.scopes(data.local_authorities(), prison_table)
info = data.build_info()
cutoff = info.get("data_cutoff") or date.today()

st.title("Recommendations")
st.write("The two foundations and nine recommendations made by people with lived experience "
         "of prison and recovery: how far each has got, what partners say and what the "
         "expert-by-experience (EbE) group thinks. Partners and the EbE group can record their "
         "own updates and reviews at the bottom of this page.")
recording_first = st.query_params.get(RECORD_PARAM) == RECORD_REVIEW
if not recording_first:
    st.page_link("views/recommendations.py", label="Record our review (EbE group)",
                 icon=":material/rate_review:", query_params={RECORD_PARAM: RECORD_REVIEW})
if store_problem:
    st.warning(f"Entries recorded in this app cannot be shown or added just now: {store_problem}",
               icon=":material/database_off:")

if recording_first:
    _recording_section()

# --- The 11 items in the chosen place ---------------------------------------------------------

tracker = model.tracker_frame(updates, reviews, recommendation_table, scope)
tracker_title = f"The 11 items: {place}"
st.header(tracker_title)
st.write(narrative.tracker_summary(tracker, place))
tracker_shown = charts.tracker_table(tracker, scope)
# Every item and every milestone in full (a table wraps its text; a grid would cut it off).
# On a phone, three columns that fit without scrolling sideways (a table that scrolls cannot
# be reached by keyboard); every column is in the grid below.
brief = charts.tracker_brief(tracker_shown)
with st.container(key="wide-only-tracker"):
    st.table(brief, hide_index=True)
with st.container(key="narrow-only-tracker"):
    st.table(brief.select(
        "Item",
        pl.when(pl.col("Partners' RAG") != "")
        .then(pl.format("{} ({})", "Status", "Partners' RAG")).otherwise(pl.col("Status"))
        .alias("Status (RAG)"),
        "Milestone"), hide_index=True)
with st.expander(f"Every column: {tracker_title}"):
    st.dataframe(tracker_shown, hide_index=True, width="stretch", key="tracker-table",
                 height=TABLE_ROW_PX * (tracker_shown.height + 1) + TABLE_BORDER_PX,
                 column_config={
                     "Reported on": st.column_config.DateColumn(format="D MMM YYYY"),
                     "EbE reviewed on": st.column_config.DateColumn(format="D MMM YYYY"),
                     "Evidence": st.column_config.TextColumn()})
st.download_button(
    f"Download CSV: {tracker_title}",
    formatting.csv_bytes(tracker_shown, tracker_title, TRACKER_DEFINITION, info.get("data_cutoff"),
                         bool(info.get("synthetic"))),
    file_name=f"recommendations-{scope}.csv", mime="text/csv", key="download-tracker",
    icon=":material/download:", on_click="ignore")

components.chart_block(
    f"Partners' rating and the EbE group's rating: {place}",
    narrative.agreement_summary(tracker, place),
    charts.agreement_chart(tracker, f"EbE rating beside the partners' RAG, {place}"),
    charts.tracker_table(tracker, scope).select(
        "Item", "Partners' RAG", "EbE rating (1-5)", "EbE review for", "Partners and EbE group"),
    TRACKER_DEFINITION, key="agreement")

# --- Every place ------------------------------------------------------------------------------

matrix = model.status_matrix_frame(updates, recommendation_table, scope_table)
components.chart_block(
    "Where every item stands: London, boroughs and prisons",
    narrative.matrix_summary(matrix),
    charts.status_matrix_chart(matrix, "Latest status of each item in each place"),
    charts.status_matrix_table(matrix),
    "Latest partner update for each item and place; 'No update recorded' where there is none.",
    key="matrix")

# --- History in the chosen place --------------------------------------------------------------

history = model.history_frame(updates, recommendation_table, scope)
if history.is_empty():
    st.subheader(f"Updates over time: {place}")
    st.info(narrative.history_summary(history, place))
else:
    components.chart_block(
        f"Updates over time: {place}",
        narrative.history_summary(history, place),
        charts.history_chart(history, f"Partners' updates and their RAG over time, {place}"),
        charts.history_table(history),
        "Every partner update: date reported, status, RAG, milestone and next step.",
        key="history")

# --- One item ---------------------------------------------------------------------------------

st.header("Look closer at one item")
item_id = st.selectbox("Item", list(item_labels), format_func=item_labels.get, key="item",
                       bind="query-params")
item = item_labels[item_id]
st.write(f"**{item}.** " + item_table.filter(pl.col("recommendation_id") == item_id)
         .get_column("asks").item())

item_history = history.filter(pl.col("recommendation_id") == item_id)
if item_history.is_empty():
    st.info(narrative.status_steps_summary(item_history, item, place))
else:
    components.chart_block(
        f"{item}: status, milestones and next steps, {place}",
        narrative.status_steps_summary(item_history, item, place),
        charts.status_steps_chart(item_history, f"{item}: status over time, {place}"),
        charts.history_table(item_history),
        "Every partner update on this item: status, RAG, milestone, next step and owner.",
        key="item-history")

item_reviews = model.reviews_frame(reviews, item_id, scope)
if item_reviews.is_empty():
    st.info(narrative.ratings_summary(item_reviews, item))
else:
    components.chart_block(
        f"{item}: the EbE group's ratings",
        narrative.ratings_summary(item_reviews, item),
        charts.ratings_chart(item_reviews, f"{item}: EbE ratings over time"),
        charts.reviews_table(item_reviews),
        "EbE group reviews of this item: rating 1 (no difference) to 5 (a great deal).",
        key="item-ratings")
    commented = item_reviews.filter(pl.col("comment").is_not_null()).tail(LATEST_COMMENTS)
    if commented.height:
        st.markdown("**What the EbE group said most recently**")
        for review in reversed(commented.to_dicts()):
            with st.container(border=True):
                st.text(review["comment"])
                st.text(f"{review['panel']}, {review['reviewed_on']:%-d %B %Y}, rated "
                        f"{review['rating']} of 5 ({review['scope_name']})")

evidence_ids = model.evidence_kpis(data.kpi_definitions(), item_id)
if evidence_ids:
    evidence = model.evidence_frame(
        data.kpi_values(kpi_id=evidence_ids, area_code=scope, breakdown="all",
                        period_type="year"), data.kpi_definitions())
    components.chart_block(
        f"KPIs that evidence {item}: {place}",
        narrative.evidence_summary(evidence, item, place),
        charts.evidence_chart(evidence, f"{item}: evidence by year, {place}", show_intervals)
        if evidence.filter(pl.col("status") == PUBLISHED).height else None,
        charts.evidence_table(evidence),
        "KPIs the registry links to this item, by financial year, with 95% confidence "
        f"intervals; {formatting.SUPPRESSION_KEY}.",
        key="evidence")
if item_id == "R2":
    completers = model.completers_frame(
        data.kpi_values(area_code=scope, breakdown="completed_programme", period=period),
        data.kpi_definitions())
    components.chart_block(
        f"Outcomes of programme completers and others: {place}, {period}",
        narrative.completers_summary(completers, period, place),
        charts.completers_chart(completers, f"Completed a programme in prison or not, {period}",
                                show_intervals)
        if completers.filter(pl.col("status") == PUBLISHED).height else None,
        charts.completers_table(completers),
        "Each KPI split by whether the person completed an accredited programme in prison.",
        key="completers")
if item_id in model.SERVICE_KINDS:
    _, kind_title = model.SERVICE_KINDS[item_id]
    services = model.services_frame(data.services(), data.local_authorities(), item_id, cutoff)
    chosen_la = scope if scope_kind == "la" else None
    components.chart_block(
        f"{kind_title} open in each borough",
        narrative.services_summary(services, kind_title, chosen_la, cutoff),
        charts.services_chart(services, kind_title, f"{kind_title} open on {cutoff:%-d %b %Y}",
                              chosen_la),
        charts.services_table(services, kind_title),
        "Services directory: services of this kind open on the data cut-off date.",
        key="services")
if item_id in ("R7", "R8"):
    from dashboard.recovery_audit import records as audit_records
    from dashboard.recovery_audit import results as audit_results
    from dashboard.recovery_audit import scoring as audit_scoring

    if item_id == "R8":
        audit_directory = audit_scoring.directory(data.services(), prison_table,
                                                  data.local_authorities())
        try:
            sessions = audit_records.training(store.app_store())
        except store.StoreUnavailable:
            sessions = None
        if sessions is not None:
            by_place = audit_results.training_by_place(sessions, audit_directory)
            st.subheader("Training delivered by experts by experience")
            st.write(f"{by_place.get_column('Sessions').sum()} sessions recorded at "
                     f"{by_place.height} services, by borough or prison and service.")
            st.dataframe(by_place, hide_index=True, width="stretch", key="r8-training")
    st.page_link("views/recovery_audit.py",
                 label="The Recovery audit and EbE training (R7, R8)",
                 icon=":material/fact_check:")
if not evidence_ids and item_id not in ("R2", *model.SERVICE_KINDS):
    st.info(narrative.no_evidence_text(item))


if not recording_first:
    _recording_section()
