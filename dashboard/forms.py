"""The forms that record and change an update or a review, built from the contracts.

Which fields a form has, whether each is required, the values a choice allows, the bounds of a
rating and the longest text all come from the contract (pipelines.definitions.contracts:
RECOMMENDATION_UPDATES, EBE_REVIEWS), the same declarations that validate the extracts and the
app store's writes. This module adds only the words a person reads: a field's label (the
contract's description where none is given) and the words for coded values. A column added to a
contract appears in both forms, recording and changing, with no edit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from dashboard import tracker
from pipelines.definitions.contracts import Column, Contract

ITEM, PLACE, DAY, LIST, ROW, LINE, BOX = "item", "place", "date", "list", "row", "line", "box"
# A coded choice of up to this many values is a row of buttons; more (their words are long) is a
# drop-down list. A rating scale's numbers are always a row.
CODES_IN_A_ROW = 3
REQUIRED_MARK = " *"
DATE_FORMAT = "DD/MM/YYYY"

# The words a person reads, by contract column; a column not here is labelled by its
# description.
LABELS: dict[str, str] = {
    "recommendation_id": "Item",
    "scope": "Place",
    "reported_on": "Date reported",
    "status": "Status",
    "rag": "Your own rating (RAG)",
    "milestone": "Milestone reached or planned",
    "next_step": "Next step",
    "owner": "Organisation responsible",
    "evidence": "Evidence (text or a link)",
    "reviewed_on": "Date of the review",
    "panel": "Panel or meeting",
    "rating": "Rating: how much difference it makes",
    "comment": "Comment",
}
RATING_WORDS: dict[int, str] = {1: "1 - no difference", 2: "2", 3: "3 - some difference",
                                4: "4", 5: "5 - a great deal"}
OPTION_WORDS: dict[str, dict] = {"status": tracker.STATUS_TITLES, "rag": tracker.RAG_TITLES,
                                 "rating": RATING_WORDS}
PLACEHOLDERS: dict[str, str] = {"status": "Choose a status"}
LONG_TEXT = frozenset({"milestone", "next_step", "comment"})  # written in a box of lines


@dataclass(frozen=True)
class FormField:
    """One field of a form: the contract column's name, what a person reads, and the widget."""

    name: str
    label: str
    widget: str
    required: bool
    options: tuple = ()
    option_words: dict = field(default_factory=dict)
    placeholder: str | None = None
    max_chars: int | None = None


def _widget(column: Column) -> tuple[str, tuple]:
    if column.kind == "recommendation":
        return ITEM, ()
    if column.kind == "scope":
        return PLACE, ()
    if column.kind == "date":
        return DAY, ()
    if column.kind == "code" and column.allowed:
        return (ROW if len(column.allowed) <= CODES_IN_A_ROW else LIST), column.allowed
    if column.kind == "int" and column.minimum is not None and column.maximum is not None:
        return ROW, tuple(range(int(column.minimum), int(column.maximum) + 1))
    if column.kind in ("text", "id"):
        return (BOX if column.name in LONG_TEXT else LINE), ()
    raise ValueError(f"{column.name}: no form widget for a {column.kind} column")


def form_fields(contract: Contract) -> list[FormField]:
    """The fields of a contract's form, in the contract's order (its key is made by the app)."""
    fields = []
    for column in contract.columns:
        if column.name == contract.key:
            continue
        widget, options = _widget(column)
        label = LABELS.get(column.name) or column.description.rstrip(".")
        fields.append(FormField(
            column.name, label + (REQUIRED_MARK if column.required else ""), widget,
            column.required, options, OPTION_WORDS.get(column.name, {}),
            PLACEHOLDERS.get(column.name), column.max_chars))
    return fields


def text_fields(contract: Contract) -> tuple[str, ...]:
    """The fields a person types into (emptied once an entry is recorded)."""
    return tuple(f.name for f in form_fields(contract) if f.widget in (LINE, BOX))


def draw(contract: Contract, prefix: str, items: dict[str, str], places: dict[str, str],
         place: str, current: dict | None = None) -> None:
    """The contract's fields inside an st.form, each keyed '<prefix>-<column>'. `current`: the
    entry being changed (its values are shown); None for a new entry."""
    for spec in form_fields(contract):
        key = f"{prefix}-{spec.name}"
        now = current.get(spec.name) if current else None
        if spec.widget in (ITEM, PLACE):
            choices = items if spec.widget == ITEM else places
            codes = list(choices)
            chosen = now if current else (None if spec.widget == ITEM else place)
            st.selectbox(spec.label, codes, format_func=choices.get,
                         index=codes.index(chosen) if chosen in choices else 0, key=key)
        elif spec.widget == DAY:
            extra = {"value": now} if current else {}
            st.date_input(spec.label, max_value=date.today(), format=DATE_FORMAT, key=key,
                          **extra)
        elif spec.widget in (LIST, ROW):
            options = list(spec.options)
            index = options.index(now) if now in options else None
            words = spec.option_words or {o: str(o) for o in options}
            if spec.widget == LIST:
                st.selectbox(spec.label, options, index=index, format_func=words.get,
                             placeholder=spec.placeholder, key=key)
            else:
                st.radio(spec.label, options, index=index, format_func=words.get,
                         horizontal=True, key=key)
        else:
            widget = st.text_area if spec.widget == BOX else st.text_input
            extra = {"value": now or ""} if current else {}
            widget(spec.label, key=key, max_chars=spec.max_chars, **extra)
