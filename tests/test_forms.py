"""The record and change forms are built from the contracts (dashboard.forms)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard import forms
from pipelines.definitions.contracts import (
    EBE_REVIEWS,
    RECOMMENDATION_UPDATES,
    TEXT_MAX_CHARS,
    Column,
)


@pytest.mark.parametrize("contract", [RECOMMENDATION_UPDATES, EBE_REVIEWS])
def test_every_column_but_the_key_is_a_field_with_the_contract_rules(contract) -> None:
    fields = {f.name: f for f in forms.form_fields(contract)}
    columns = {c.name: c for c in contract.columns if c.name != contract.key}
    assert list(fields) == list(columns)
    for name, column in columns.items():
        spec = fields[name]
        assert spec.required == column.required
        assert spec.label.endswith(forms.REQUIRED_MARK) == column.required
        if column.allowed:
            assert spec.options == column.allowed
            assert set(spec.option_words) == set(column.allowed)
        if column.kind == "text":
            assert spec.max_chars == TEXT_MAX_CHARS


def test_widgets_follow_the_kind_of_each_column() -> None:
    update = {f.name: f for f in forms.form_fields(RECOMMENDATION_UPDATES)}
    review = {f.name: f for f in forms.form_fields(EBE_REVIEWS)}
    assert [update[n].widget for n in ("recommendation_id", "scope", "reported_on")] == \
        [forms.ITEM, forms.PLACE, forms.DAY]
    assert update["status"].widget == forms.LIST  # five statuses: a drop-down list
    assert update["rag"].widget == forms.ROW  # three: a row of buttons
    assert review["rating"].widget == forms.ROW
    assert review["rating"].options == (1, 2, 3, 4, 5)  # the contract's bounds
    assert update["milestone"].widget == forms.BOX and update["owner"].widget == forms.LINE
    assert forms.text_fields(RECOMMENDATION_UPDATES) == ("milestone", "next_step", "owner",
                                                         "evidence")
    assert forms.text_fields(EBE_REVIEWS) == ("panel", "comment")


def test_a_column_added_to_a_contract_appears_in_its_form() -> None:
    added = Column("venue", "text", "Where the meeting was held.", required=False)
    contract = replace(EBE_REVIEWS, columns=(*EBE_REVIEWS.columns, added))
    spec = forms.form_fields(contract)[-1]
    assert (spec.name, spec.label, spec.widget, spec.required) == \
        ("venue", "Where the meeting was held", forms.LINE, False)
    assert "venue" in forms.text_fields(contract)
    bounded = Column("attendees", "int", "People at the meeting.", minimum=1, maximum=3)
    spec = forms.form_fields(replace(EBE_REVIEWS, columns=(*EBE_REVIEWS.columns, bounded)))[-1]
    assert (spec.label, spec.options) == ("People at the meeting *", (1, 2, 3))


def test_a_column_no_widget_can_hold_is_refused_by_name() -> None:
    odd = Column("weight", "decimal", "A measured weight.")
    with pytest.raises(ValueError, match="weight"):
        forms.form_fields(replace(EBE_REVIEWS, columns=(*EBE_REVIEWS.columns, odd)))
