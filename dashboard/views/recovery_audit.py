"""Recovery audit (R7): domain scores from services' self-assessments and the EbE panel, by
service, borough or prison and London; where the views disagree; strengths and areas for
improvement; change since the previous round; best practice; the KPIs beside each domain; EbE
training (R8); and the forms to rate, to use the Excel template, to record training and (for
administrators) to open rounds and version the framework.

Text people typed (evidence, topics) is shown with st.dataframe and st.text, never as Markdown.
"""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import auth, components, data, formatting, store
from dashboard.charts import recovery_audit as charts
from dashboard.recovery_audit import framework as fw
from dashboard.recovery_audit import records, results, scoring, template
from dashboard.store import audit_contracts as c
from pipelines.definitions.reference import LONDON_CODE

SAMPLE_TEXT = ("The audit rounds, ratings and training sessions shown here are a synthetic "
               "sample (recorded by 'synthetic-sample'), not real services' ratings.")
SCALE_WORDS = {k: f"{k} - {v}" for k, v in c.SCALE.items()}
DEFINITION = results.SCALE_NOTE


def _result(key: str, outcome: tuple[str, str], rejects: pl.DataFrame | None = None) -> None:
    st.session_state[f"ra-{key}-result"] = (outcome, rejects)


def _show_result(key: str) -> None:
    found = st.session_state.pop(f"ra-{key}-result", None)
    if found is None:
        return
    (level, message), rejects = found
    {"error": st.error, "warning": st.warning, "success": st.success}[level](message)
    if rejects is not None and rejects.height:
        st.dataframe(rejects, hide_index=True, width="stretch", key=f"ra-{key}-rejects")


# --- Writing (callbacks run before the page is drawn again) -----------------------------------

def _save_ratings(round_id: str, service: dict, view: str, question_ids: list[str]) -> None:
    framework = records.round_framework(store.app_store(), round_id)
    ratings, missing = [], []
    for question_id in question_ids:
        rating = st.session_state.get(f"ra-form-{question_id}-rating")
        evidence = (st.session_state.get(f"ra-form-{question_id}-evidence") or "").strip()
        if rating is None:
            if framework.question(question_id).required:
                missing.append(question_id)
            continue
        ratings.append(records.Rating(question_id, rating, evidence or None))
    if missing:
        _result("rate", ("error", "Nothing was saved: rate every required question ("
                         + ", ".join(missing) + " not rated)."))
        return
    try:
        written = records.save_ratings(store.app_store(), round_id, service, view, ratings,
                                       auth.current_actor())
    except store.StoreError as error:
        _result("rate", ("error", str(error)))
        return
    _result("rate", ("success", f"Saved {len(written)} rating{'s' if len(written) != 1 else ''} "
                                f"({c.VIEW_TITLES[view]}) for {service['service_name']}, round "
                                f"{round_id}; {len(ratings) - len(written)} unchanged."))


def _import_template() -> None:
    upload = st.session_state.get("ra-upload")
    if upload is None:
        _result("template", ("error", "Choose a completed template to import."))
        return
    try:
        report = template.import_template(store.app_store(), upload.getvalue(),
                                          auth.current_actor(), directory.to_dicts())
    except (store.StoreError, template.TemplateError) as error:
        _result("template", ("error", f"Nothing was imported: {error}"))
        return
    rejects = pl.DataFrame([(r.sheet, r.row, r.question, r.reason) for r in report.rejects],
                           schema={"Sheet": pl.String, "Row": pl.Int64, "Question": pl.String,
                                   "Reason": pl.String}, orient="row")
    _result("template", ("warning" if report.rejects else "success", report.summary()), rejects)


def _record_training() -> None:
    service_id = st.session_state.get("ra-training-service")
    service = directory.filter(pl.col("service_id") == service_id).row(0, named=True)
    try:
        records.record_training(store.app_store(), service,
                                st.session_state.get("ra-training-on"),
                                st.session_state.get("ra-training-topic") or "",
                                st.session_state.get("ra-training-attendees"),
                                st.session_state.get("ra-training-by") or "",
                                auth.current_actor(),
                                st.session_state.get("ra-training-notes") or None)
    except store.StoreError as error:
        _result("training", ("error", str(error)))
        return
    _result("training", ("success", f"Recorded the training session at "
                                    f"{service['service_name']}."))


def _open_round() -> None:
    try:
        records.open_round(store.app_store(), st.session_state.get("ra-round-id") or "",
                           int(st.session_state.get("ra-round-version")),
                           st.session_state.get("ra-round-on"),
                           st.session_state.get("ra-round-title") or "", auth.current_actor())
    except store.StoreError as error:
        _result("admin", ("error", str(error)))
        return
    _result("admin", ("success", f"Opened round {st.session_state.get('ra-round-id')}."))


def _save_framework(rows: pl.DataFrame) -> None:
    edited = st.session_state.get("ra-framework-editor")
    table = rows
    if isinstance(edited, dict):  # the editor's changes: edited, added and deleted rows
        records_list = table.to_dicts()
        for index, change in edited.get("edited_rows", {}).items():
            records_list[int(index)].update(change)
        deleted = {int(i) for i in edited.get("deleted_rows", [])}
        records_list = [r for i, r in enumerate(records_list) if i not in deleted]
        records_list += edited.get("added_rows", [])
        table = pl.DataFrame(records_list, schema=rows.schema)
    try:
        version = records.save_framework(store.app_store(),
                                         fw.from_rows(0, table.to_dicts()),
                                         auth.current_actor())
    except (store.StoreError, KeyError, TypeError) as error:
        _result("admin", ("error", f"The framework was not saved: {error}"))
        return
    _result("admin", ("success", f"Saved framework version {version}. Open a round on it to "
                                 "use it."))


# --- Reading ---------------------------------------------------------------------------------

directory = scoring.directory(data.services(), data.prisons(), data.local_authorities())
store_problem = None
try:
    app = store.app_store()
    round_table = records.rounds(app)
    answer_table = records.answers(app)
    training_table = records.training(app)
    framework_versions = records.frameworks(app)
except store.StoreUnavailable as unavailable:
    store_problem = str(unavailable)
    round_table = pl.DataFrame(schema=records.ROUND_SCHEMA)
    answer_table = pl.DataFrame(schema={"round_id": pl.String, "service_id": pl.String,
                                        "audit_view": pl.String, "question_id": pl.String,
                                        "rating": pl.Int64, "evidence": pl.String,
                                        "recorded_by": pl.String})
    training_table = pl.DataFrame(schema={"service_id": pl.String, "reported_on": pl.Date,
                                          "attendees": pl.Int64, "recorded_by": pl.String,
                                          "topic": pl.String})
    framework_versions = {fw.SEED.version: fw.SEED}
info = data.build_info()

st.title("Recovery audit (R7)")
st.write("Recommendation 7: a recovery audit of prison and community services, co-produced with "
         "experts by experience. Each service rates itself on the framework's questions and an "
         "expert-by-experience (EbE) panel rates the same questions independently; the two views "
         "are shown side by side, with the outcomes that evidence each domain.")
st.caption("Rating scale: " + "; ".join(SCALE_WORDS.values()) + ".")
if store_problem:
    st.warning(f"The audit cannot be shown or added to just now: {store_problem}",
               icon=":material/database_off:")
if records.is_sample(answer_table) or records.is_sample(training_table):
    st.info(SAMPLE_TEXT, icon=":material/science:")

round_ids = round_table.get_column("round_id").to_list()
current = records.current_round(round_table) or (round_ids[-1] if round_ids else None)
if round_ids:
    round_id = st.sidebar.selectbox("Audit round", round_ids[::-1], key="round",
                                    index=round_ids[::-1].index(current), bind="query-params")
    level = st.sidebar.radio("Show results for", list(results.LEVEL_TITLES),
                             format_func=results.LEVEL_TITLES.get, key="level",
                             bind="query-params")
    key = None
    if level == results.AREA:
        areas = directory.select("area_code", "area_name").unique().sort("area_name")
        area_names = dict(areas.iter_rows())
        key = st.sidebar.selectbox("Borough or prison", list(area_names),
                                   format_func=area_names.get, key="place", bind="query-params")
    elif level == results.SERVICE:
        rated = answer_table.filter(pl.col("round_id") == round_id).get_column(
            "service_id").unique().to_list()
        choices = directory.filter(pl.col("service_id").is_in(rated)) if rated else directory
        names = dict(choices.select("service_id", "service_name").sort("service_name")
                     .iter_rows())
        key = st.sidebar.selectbox("Service", list(names), format_func=names.get,
                                   key="service", bind="query-params")
    found = results.compute(answer_table, round_table, framework_versions, directory, round_id,
                            level, key)
    place, framework = found.place, records.round_framework(app, round_id)

    st.header(f"Results: {place}, round {round_id}")
    scores_title = f"Domain scores: {place}, round {round_id}"
    components.chart_block(scores_title, results.summary(found),
                           charts.scores_chart(results.scores_table(found), scores_title)
                           if found.scores.height else None,
                           results.scores_table(found), DEFINITION, key="ra-scores")

    st.subheader(f"Strengths and areas for improvement: {place}")
    left, right = st.columns(2)
    with left:
        st.markdown("**Strengths**")
        for line in found.strengths or ["No domain is rated in place or better by both views "
                                        "yet."]:
            st.text(f"• {line}")
    with right:
        st.markdown("**Areas for improvement**")
        for line in found.improvements or ["No domain is rated below in place, and the views "
                                           "agree."]:
            st.text(f"• {line}")

    disagree = results.disagreements_table(found)
    st.subheader(f"Where the self-assessment and the EbE panel disagree: {place}")
    st.markdown(formatting.markdown_safe(
        f"{disagree.height} service and domain pair{'s' if disagree.height != 1 else ''} where "
        f"the two views differ by {scoring.DISAGREE_AT:.0f} point or more on the 1-4 scale."
        if disagree.height else "The two views differ by less than a point on every domain."))
    st.dataframe(disagree, hide_index=True, width="stretch", key="ra-disagreements")
    st.download_button(
        "Download CSV: disagreements",
        formatting.csv_bytes(disagree, f"Disagreements: {place}, round {round_id}", DEFINITION,
                             info.get("data_cutoff"), bool(info.get("synthetic"))),
        file_name="recovery-audit-disagreements.csv", mime="text/csv", key="ra-download-dis",
        icon=":material/download:", on_click="ignore")

    if found.previous_round is None:
        st.subheader("Change since the previous round")
        st.info(f"Round {round_id} is the first round: there is nothing to compare with yet.")
    else:
        change = results.change_table(found)
        change_title = f"Change since {found.previous_round}: {place}"
        components.chart_block(
            change_title,
            " ".join(found.change_lines) or "No domain moved by half a point or more.",
            charts.change_chart(change, change_title) if change.height else None, change,
            DEFINITION, key="ra-change")

    best = results.best_practice_table(found)
    st.subheader(f"Best practice across London, round {round_id}")
    st.markdown(formatting.markdown_safe(
        "For each domain, the services rated highest by both views (the lower of the two "
        f"scores at least {scoring.STRENGTH_AT:.0f}, in place), with the evidence they gave. "
        f"{best.get_column('Domain').n_unique()} of {len(framework.domains)} domains have one."))
    st.dataframe(best, hide_index=True, width="stretch", key="ra-best",
                 column_config={"Evidence": st.column_config.TextColumn(width="large")})

    evidence_area = (LONDON_CODE if level == results.LONDON else key
                     if level == results.AREA else
                     directory.filter(pl.col("service_id") == key).get_column("area_code").item())
    kpi_ids = sorted({k for d in framework.domains for k in d.kpi_ids})
    evidence = results.evidence_table(
        framework, data.kpi_values(kpi_id=kpi_ids, area_code=evidence_area, breakdown="all",
                                   period_type="year"), data.kpi_definitions())
    st.subheader(f"Beside the evidence: KPIs for each domain, {place}")
    st.write("The outcomes that evidence each domain, for the service's borough or prison (the "
             "latest financial year with a figure; * suppressed for disclosure control), so a "
             "meeting can see whether a high rating matches the outcomes.")
    st.dataframe(evidence, hide_index=True, width="stretch", key="ra-evidence")
else:
    st.info("No audit round has been opened yet. An administrator opens one below, on the "
            "framework's current version.")

# --- R8: training by experts by experience ----------------------------------------------------

st.header("Training by experts by experience (R8)")
by_place = results.training_by_place(training_table, directory)
if by_place.is_empty():
    st.info("No training sessions by experts by experience have been recorded yet.")
else:
    total = int(by_place.get_column("Staff trained").sum())
    components.chart_block(
        "Staff trained by experts by experience, by borough or prison",
        f"{by_place.get_column('Sessions').sum()} sessions have trained {total:,} staff at "
        f"{by_place.height} services in "
        f"{by_place.get_column('Borough or prison').n_unique()} boroughs and prisons.",
        charts.training_chart(by_place, "Staff trained by experts by experience"), by_place,
        "Training sessions delivered by experts by experience to services (R8).",
        key="ra-training")
st.page_link("views/recommendations.py", label="R8 on the recommendations tracker",
             icon=":material/checklist:", query_params={"item": "R8"})

# --- Recording --------------------------------------------------------------------------------

st.header("Rate, import and record")
actor = auth.panel("recovery-audit")
tabs = st.tabs(["Rate a service", "Excel template", "Record training (R8)",
                "Framework and rounds"])
rateable = directory.filter(pl.col("service_id").map_elements(
    lambda sid: bool(records.views_for(actor, sid)), return_dtype=pl.Boolean))
service_names = dict(rateable.select("service_id", "service_name").sort("service_name")
                     .iter_rows())

with tabs[0]:
    if not round_ids:
        st.info("Rating starts when a round is opened.")
    elif not service_names:
        st.info("Only a service's own assessor (for its self-assessment) or an EbE reviewer (for "
                "the EbE panel's ratings) can rate. Sign in with an account that has that role.")
    else:
        rate_round = current or round_ids[-1]
        service_id = st.selectbox("Service", list(service_names), format_func=service_names.get,
                                  key="ra-rate-service")
        service = directory.filter(pl.col("service_id") == service_id).row(0, named=True)
        views = records.views_for(actor, service_id)
        view = st.radio("Whose ratings", views, format_func=c.VIEW_TITLES.get, horizontal=True,
                        key="ra-rate-view")
        rate_framework = records.round_framework(app, rate_round)
        held = answer_table.filter((pl.col("round_id") == rate_round)
                                   & (pl.col("service_id") == service_id)
                                   & (pl.col("audit_view") == view))
        held_rating = dict(zip(held.get_column("question_id"), held.get_column("rating"),
                               strict=True))
        st.write(f"Round {rate_round}. Questions marked * must be rated.")
        with st.form(f"ra-rate-form-{service_id}-{view}"):
            for domain in rate_framework.domains:
                st.markdown(f"**{domain.title}**")
                for question in domain.questions:
                    previous = held_rating.get(question.id)
                    st.radio(f"{question.text}{' *' if question.required else ''}",
                             list(SCALE_WORDS), format_func=SCALE_WORDS.get, horizontal=True,
                             index=None if previous is None else list(SCALE_WORDS).index(previous),
                             key=f"ra-form-{question.id}-rating",
                             help=f"What good looks like: {question.good}")
                    st.text_area(f"Evidence for {question.id}",
                                 key=f"ra-form-{question.id}-evidence",
                                 max_chars=store.MAX_TEXT_CHARS, height=68)
            st.form_submit_button("Save ratings", type="primary", on_click=_save_ratings,
                                  args=(rate_round, service, view,
                                        list(rate_framework.question_ids)),
                                  key="ra-rate-submit")
    _show_result("rate")

with tabs[1]:
    st.write("Services that work in spreadsheets can download their template, complete it "
             "offline (ratings from a drop-down, evidence as text) and import it here. Rows "
             "that cannot be stored are listed with their sheet, row, question and reason.")
    if round_ids and service_names:
        template_round = current or round_ids[-1]
        chosen = st.selectbox("Template for", list(service_names),
                              format_func=service_names.get, key="ra-template-service")
        chosen_view = st.radio("Whose ratings", records.views_for(actor, chosen),
                               format_func=c.VIEW_TITLES.get, horizontal=True,
                               key="ra-template-view")
        chosen_service = directory.filter(pl.col("service_id") == chosen).row(0, named=True)
        st.download_button(
            "Download the template (Excel)",
            template.build(records.round_framework(app, template_round), template_round,
                           chosen_service, chosen_view, bool(info.get("synthetic"))),
            file_name=f"recovery-audit-{chosen}-{template_round}-{chosen_view}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="ra-template-download", icon=":material/download:", on_click="ignore")
        st.file_uploader("Completed template to import", type="xlsx", key="ra-upload")
        st.button("Import", on_click=_import_template, key="ra-import",
                  icon=":material/upload:")
    else:
        st.info("Templates are for a service's assessor or an EbE reviewer, once a round is "
                "open.")
    _show_result("template")

with tabs[2]:
    if not actor.can_record(c.TRAINING):
        st.info("Only EbE reviewers can record training sessions.")
    else:
        all_names = dict(directory.select("service_id", "service_name").sort("service_name")
                         .iter_rows())
        with st.form("ra-training-form"):
            st.selectbox("Service trained *", list(all_names), format_func=all_names.get,
                         key="ra-training-service")
            st.date_input("Date delivered *", max_value=date.today(), format="DD/MM/YYYY",
                          key="ra-training-on")
            st.text_input("Topic *", key="ra-training-topic", max_chars=store.MAX_TEXT_CHARS)
            st.number_input("Staff who attended *", min_value=1, step=1, value=None,
                            key="ra-training-attendees")
            st.text_input("Delivered by *", key="ra-training-by",
                          max_chars=store.MAX_TEXT_CHARS)
            st.text_area("Notes", key="ra-training-notes", max_chars=store.MAX_TEXT_CHARS)
            st.form_submit_button("Record training", type="primary", on_click=_record_training,
                                  key="ra-training-submit")
    if training_table.height:
        st.dataframe(training_table.join(directory, on="service_id", how="left").select(
            pl.col("reported_on").alias("Date"), pl.col("service_name").alias("Service"),
            pl.col("area_name").alias("Borough or prison"), pl.col("topic").alias("Topic"),
            pl.col("attendees").alias("Staff"), pl.col("panel").alias("Delivered by")),
            hide_index=True, width="stretch", key="ra-training-sessions")
    _show_result("training")

with tabs[3]:
    latest_version = max(framework_versions)
    st.write(f"The framework has {len(framework_versions)} version"
             f"{'s' if len(framework_versions) != 1 else ''}; each round uses one. Rounds: "
             + (", ".join(f"{r['round_id']} (version {r['framework_version']})"
                          for r in round_table.iter_rows(named=True)) or "none yet") + ".")
    rows = pl.DataFrame(fw.as_rows(framework_versions[latest_version])).drop(
        "scope", "framework_version")
    if not actor.can_record(c.ROUND):
        st.info("Only an administrator can open a round or save a new framework version.")
        st.dataframe(rows, hide_index=True, width="stretch", key="ra-framework-table")
    else:
        with st.form("ra-round-form"):
            st.text_input("Round id *", key="ra-round-id", placeholder="e.g. 2026-27",
                          max_chars=100)
            st.selectbox("Framework version *", sorted(framework_versions, reverse=True),
                         key="ra-round-version")
            st.date_input("Opens on *", format="DD/MM/YYYY", key="ra-round-on")
            st.text_input("Title", key="ra-round-title", max_chars=store.MAX_TEXT_CHARS)
            st.form_submit_button("Open round", on_click=_open_round, key="ra-round-submit")
        st.write(f"Edit version {latest_version} and save it as version {latest_version + 1} "
                 "(KPI ids must be in the registry; rounds already open keep their version).")
        st.data_editor(rows, num_rows="dynamic", hide_index=True, width="stretch",
                       key="ra-framework-editor")
        st.button("Save as a new framework version", on_click=_save_framework, args=(rows,),
                  key="ra-framework-submit")
    _show_result("admin")
