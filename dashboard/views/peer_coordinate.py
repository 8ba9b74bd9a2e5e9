"""Lived experience voices, for the coordinator: review and approve accounts, keep the
codebook, code accounts and passages, assign second coding and see agreement, handle
withdrawals, import ODK/Kobo exports and export the findings for OHID. Peer researchers see
only their second-coding assignments here."""

import io
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import auth, peer_forms
from dashboard.peer_research import coding, export, importer, service, xlsform
from dashboard.peer_research.model import (
    QUESTIONS,
    SETTING_TITLES,
    TEXT_FIELDS,
    THEME_CONTRACT,
)
from dashboard.store import StoreError, app_store

FIELD_TITLES = {**QUESTIONS, "account_text": "In their own words"}


def _run(key: str, action, success: str) -> None:
    """Do one write; keep what happened to show on the next run."""
    try:
        done = action()
    except (StoreError, LookupError) as error:
        st.session_state[f"{key}-result"] = ("error", str(error))
        return
    st.session_state[f"{key}-result"] = ("success", success.format(done=done))


def _show(key: str) -> None:
    outcome = st.session_state.pop(f"{key}-result", None)
    if outcome:
        {"error": st.error, "success": st.success}[outcome[0]](outcome[1])


def _withdraw(reference: str) -> int:
    removed = service.withdraw(db, reference, actor)
    if removed == 0:
        raise LookupError(f"No account has the reference {reference!r}.")
    return removed


def _findings_zip() -> bytes:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="lev-export-") as folder, \
            zipfile.ZipFile(buffer, "w") as archive:
        for path in export.write(db, Path(folder)):
            archive.write(path, path.name)
    return buffer.getvalue()


def _account_text(row: dict) -> None:
    for name in TEXT_FIELDS:
        if row.get(name):
            st.caption(FIELD_TITLES[name])
            st.text(row[name])


st.title("Peer research")
st.write("Lived experience voices: the coordinator reviews the accounts peer researchers "
         "record, keeps the codebook, codes accounts and quotes, checks agreement and handles "
         "withdrawals. Only approved, de-identified findings leave this page.")
actor = auth.panel("coordinate", compact=True)
db = app_store()
if not service.is_researcher(actor):
    st.info("Only the coordinator and peer researchers can use this page.")
    st.stop()

if not service.is_coordinator(actor):
    st.header("Second coding assigned to you")
    _show("second")
    themes = service.codebook(db)
    for assignment in service.assignments(db, actor):
        row = service.account(db, assignment["account_id"])
        with st.container(border=True):
            _account_text(row)
            chosen = st.multiselect("Themes", themes["code"].to_list(),
                                    key=f"second-{row['record_id']}")
            st.button("Save my coding", key=f"second-save-{row['record_id']}",
                      on_click=_run, args=("second", lambda r=row["record_id"], k=(
                          f"second-{row['record_id']}"): service.code_account(
                          db, r, "second", st.session_state.get(k) or [], actor),
                          "Saved your coding."))
    st.stop()

review, codebook_tab, coding_tab, quotes_tab, withdraw_tab, transfer = st.tabs(
    ["Review", "Codebook", "Coding", "Quotes", "Withdraw", "Import and export"])

with review:
    _show("review")
    waiting = service.accounts(db, actor, status="submitted")
    st.write(f"{len(waiting)} account(s) waiting for review.")
    for row in waiting:
        with st.container(border=True):
            st.text(f"{row['reference']} · {SETTING_TITLES[row['setting']]} · "
                    f"{row['collected_on']} · {row['researcher']}")
            if row["content_note"]:
                st.warning(f"Content note: {row['content_note_text']}")
            for name in TEXT_FIELDS:
                if row.get(name):
                    st.text_area(f"{FIELD_TITLES[name]} (redact more if needed)",
                                 value=row[name], key=f"review-{row['record_id']}-{name}")
            st.text_input("Note to the researcher (optional)",
                          key=f"review-{row['record_id']}-note")

            def decide(status: str, r=row) -> int:
                edits = {n: st.session_state.get(f"review-{r['record_id']}-{n}")
                         for n in TEXT_FIELDS if r.get(n)}
                return service.review(db, r["record_id"], actor, status, edits,
                                      st.session_state.get(f"review-{r['record_id']}-note"),
                                      based_on_version=r["version"])

            left, right = st.columns(2)
            left.button("Approve", key=f"approve-{row['record_id']}", type="primary",
                        on_click=_run, args=("review", lambda d=decide: d("approved"),
                                             f"Approved {row['reference']}."))
            right.button("Return to researcher", key=f"return-{row['record_id']}",
                         on_click=_run, args=("review", lambda d=decide: d("returned"),
                                              f"Returned {row['reference']}."))

with codebook_tab:
    _show("codebook")
    book = service.codebook(db, active_only=False)
    st.write(f"Codebook version {service.codebook_version(db)} (every change to a theme adds a "
             "version; retired themes are kept).")
    st.dataframe(book.with_columns(pl.col("links").list.join(", ")).drop("record_id"),
                 hide_index=True, key="codebook-table")
    existing = {"": "A new theme"} | {r["record_id"]: f"{r['code']} {r['name']}"
                                      for r in book.iter_rows(named=True)}
    chosen = st.selectbox("Theme to add or change", list(existing), format_func=existing.get,
                          key="codebook-choice")
    current = next((r for r in book.iter_rows(named=True) if r["record_id"] == chosen), {})
    with st.form("codebook-form"):
        for column in THEME_CONTRACT.columns:
            value = current.get(column.name)
            if column.name == "links":
                value = " ".join(value or [])
            if column.name == "active" and not current:
                value = True
            peer_forms.widget(column, f"theme-{column.name}",
                              value=value)
        st.form_submit_button(
            "Save theme", type="primary", on_click=_run,
            args=("codebook", lambda: service.save_theme(
                db, {c.name: st.session_state.get(f"theme-{c.name}")
                     for c in THEME_CONTRACT.columns}, actor,
                record_id=chosen or None), "Saved the theme."))

with coding_tab:
    _show("coding")
    themes = service.codebook(db)
    codings = service.codings(db)
    approved = service.approved_accounts(db)
    first = codings.filter(pl.col("pass") == "first")
    st.write(f"{first.height} of {len(approved)} approved accounts coded.")
    labels = {a["record_id"]: f"{a['reference']} · {SETTING_TITLES[a['setting']]}"
              + (" (coded)" if a["record_id"] in first["account_id"].to_list() else "")
              for a in approved}
    if labels:
        account_id = st.selectbox("Account", list(labels), format_func=labels.get,
                                  key="coding-account")
        row = service.account(db, account_id)
        _account_text(row)
        done = first.filter(pl.col("account_id") == account_id)["themes"].to_list()
        theme_names = dict(zip(themes["code"], themes["name"], strict=True))
        st.multiselect("Themes (first coding)", themes["code"].to_list(),
                       default=done[0] if done else [], key="coding-themes",
                       format_func=lambda c: f"{c} {theme_names[c]}")
        st.button("Save coding", type="primary", on_click=_run, args=(
            "coding", lambda: service.code_account(
                db, account_id, "first", st.session_state.get("coding-themes") or [], actor),
            "Saved the coding."))
    st.header("Second coding")
    st.number_input("Share of coded accounts to code a second time", min_value=0.05,
                    max_value=1.0, value=service.SECOND_CODING_SHARE, step=0.05,
                    key="second-share")
    st.text_input("Second coder (their sign-in identity)", key="second-coder",
                  value=actor.identity)
    st.button("Assign a random sample", on_click=_run, args=(
        "coding", lambda: len(service.assign_second_coding(
            db, st.session_state.get("second-coder") or actor.identity, actor,
            share=float(st.session_state.get("second-share") or 0.2))),
        "Assigned {done} account(s) for second coding."))
    agreement = coding.agreement(codings, themes["code"].to_list())
    st.header("Agreement by theme")
    st.caption("Cohen's kappa (statsmodels) on whether each double-coded account has the "
               "theme; empty where it is not defined (one category only).")
    st.dataframe(agreement, hide_index=True, key="agreement-table")
    st.header("Disagreements to discuss")
    st.dataframe(coding.disagreements(codings), hide_index=True, key="disagreement-table")

with quotes_tab:
    _show("quotes")
    approved = service.approved_accounts(db)
    themes = service.codebook(db)
    if approved:
        labels = {a["record_id"]: a["reference"] for a in approved}
        account_id = st.selectbox("Account", list(labels), format_func=labels.get,
                                  key="quote-account")
        row = service.account(db, account_id)
        fields = [n for n in TEXT_FIELDS if row.get(n)]
        source = st.selectbox("Answer", fields, format_func=FIELD_TITLES.get,
                              key="quote-field")
        st.text(row.get(source) or "")
        with st.form("quote-form"):
            st.text_area("Passage to quote (copy it from the answer)", key="quote-text")
            st.multiselect("Themes", themes["code"].to_list(), key="quote-themes")
            st.form_submit_button("Approve quote", type="primary", on_click=_run, args=(
                "quotes", lambda: service.add_quote(
                    db, account_id, source, st.session_state.get("quote-text") or "",
                    st.session_state.get("quote-themes") or [], actor),
                "Approved the quote."))
    st.dataframe(service.quotes(db).with_columns(pl.col("themes").list.join(", ")),
                 hide_index=True, key="quotes-table")

with withdraw_tab:
    _show("withdraw")
    st.write("With the participant's withdrawal reference, remove their account, its codes "
             "and quotes from every page, export and backup made from now on. The audit log "
             "records that a withdrawal happened, not what was said.")
    with st.form("withdraw-form"):
        st.text_input("Withdrawal reference (e.g. LV-7KQ3MX)", key="withdraw-reference")
        st.form_submit_button("Withdraw the account", type="primary", on_click=_run, args=(
            "withdraw", lambda: _withdraw(st.session_state.get("withdraw-reference") or ""),
            "Withdrawn: {done} record(s) removed."))

with transfer:
    _show("import")
    st.download_button("Download the XLSForm (ODK Collect, KoboToolbox)",
                       xlsform.workbook_bytes(), file_name="lived_experience_voices.xlsx",
                       key="form-download")
    upload = st.file_uploader("Import an ODK or Kobo export (CSV or XLSX)",
                              type=["csv", "xlsx"], key="import-file")
    if upload is not None:
        st.button("Import", on_click=_run, args=(
            "import", lambda: importer.import_submissions(
                db, upload.getvalue(), upload.name, actor).text(), "{done}"))
    st.download_button("Download the findings for OHID (CSV and XLSX, zip)",
                       _findings_zip, file_name="lived_experience_findings.zip",
                       key="export-download")
