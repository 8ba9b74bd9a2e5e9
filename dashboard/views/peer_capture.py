"""Record an account (peer researchers, phone-sized): consent first, then the account, checked
for identifiers before it is saved; then the researcher's own accounts and their review state.
Raw text is never stored: the researcher sees the de-identified text and may redact more."""

from datetime import date, timedelta

import streamlit as st

from dashboard import auth, peer_forms
from dashboard.peer_research import deidentify, service
from dashboard.peer_research.model import (
    ACCOUNT_CONTRACT,
    CONSENT_STATEMENTS,
    SETTING_TITLES,
    TEXT_FIELDS,
    WITHDRAW_DAYS_DEFAULT,
)
from dashboard.peer_research.xlsform import APP_FIELDS
from dashboard.store import StoreError, app_store

CHECKED = "capture-checked"  # the de-identified text waiting to be saved
FORM_FIELDS = [c for c in ACCOUNT_CONTRACT.columns if c.name not in APP_FIELDS]
REDACTED_FIELDS = (*TEXT_FIELDS, "content_note_text")


def _values() -> dict[str, object]:
    values = {c.name: st.session_state.get(f"capture-{c.name}") for c in FORM_FIELDS}
    return {name: None if value == "" else value for name, value in values.items()}


def _consent() -> dict[str, object]:
    return {name: bool(st.session_state.get(f"consent-{name}")) for name in CONSENT_STATEMENTS} \
        | {"withdraw_until": st.session_state.get("consent-withdraw_until")}


def _check() -> None:
    values = _values()
    st.session_state[CHECKED] = {name: deidentify.redact(values.get(name)) or ""
                                 for name in REDACTED_FIELDS}
    for name, text in st.session_state[CHECKED].items():
        st.session_state[f"checked-{name}"] = text


def _save() -> None:
    values = _values() | {name: st.session_state.get(f"checked-{name}") or None
                          for name in REDACTED_FIELDS}
    consent = _consent()
    if not all(consent[name] for name in CONSENT_STATEMENTS):
        st.session_state["capture-result"] = ("error", "Nothing was saved: every consent "
                                                       "statement must be agreed first.")
        return
    try:
        reference = service.capture(app_store(), consent, values, auth.current_actor())
    except StoreError as error:
        st.session_state["capture-result"] = ("error", str(error))
        return
    st.session_state["capture-result"] = (
        "success", f"Saved. Withdrawal reference: {reference}. Write it on the participant's "
                   f"card with the last day to withdraw, {consent['withdraw_until']:%d/%m/%Y}.")
    st.session_state.pop(CHECKED, None)
    for column in FORM_FIELDS:
        if column.name in REDACTED_FIELDS:
            st.session_state[f"capture-{column.name}"] = ""
    for name in CONSENT_STATEMENTS:
        st.session_state[f"consent-{name}"] = False


st.title("Record an account")
st.write("For peer researchers of the Lived experience voices project. Read the consent "
         "statements to the participant first: nothing is saved without their consent. No name "
         "or contact details are ever taken. Names, numbers, addresses and dates are taken out "
         "of what you write before it is saved, and you see the result first.")
actor = auth.panel("capture", compact=True)
if not service.is_researcher(actor):
    st.info("Only peer researchers and the coordinator can record accounts. Sign in with an "
            "account that has the peer researcher role, or ask the coordinator for it.")
    st.stop()

outcome = st.session_state.pop("capture-result", None)
if outcome:
    {"error": st.error, "success": st.success}[outcome[0]](outcome[1])

st.header("1. Consent")
for name, statement in CONSENT_STATEMENTS.items():
    st.checkbox(statement, key=f"consent-{name}")
st.date_input("Last day to withdraw *", key="consent-withdraw_until",
              value=date.today() + timedelta(days=WITHDRAW_DAYS_DEFAULT), format="DD/MM/YYYY")
consented = all(st.session_state.get(f"consent-{n}") for n in CONSENT_STATEMENTS)
if not consented:
    st.info("Agree every consent statement with the participant to record their account.")
    st.stop()

st.header("2. The account")
with st.form("capture-form"):
    for column in FORM_FIELDS:
        peer_forms.widget(column, f"capture-{column.name}")
    st.form_submit_button("Check for identifiers", type="primary", on_click=_check)

if CHECKED in st.session_state:
    st.header("3. Check and save")
    st.write("This is what will be saved. Identifiers found are shown as [name], [phone] and "
             "so on. Take out anything else that could identify someone, then save.")
    with st.form("save-form"):
        for name in REDACTED_FIELDS:
            if st.session_state[CHECKED].get(name):
                st.text_area(f"{name.replace('_', ' ').capitalize()} (as it will be saved)",
                             key=f"checked-{name}")
        st.form_submit_button("Save account", type="primary", on_click=_save)

st.header("Your accounts")
mine = service.accounts(app_store(), actor)
if not mine:
    st.text("You have not recorded any accounts yet.")
for row in mine:
    st.text(f"{row['reference']} · {SETTING_TITLES[row['setting']]} · {row['collected_on']} · "
            f"{row['status']}" + (f" · note: {row['review_note']}" if row["review_note"] else ""))
