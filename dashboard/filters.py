"""Filters shared by the pages, kept in the URL so a view can be shared and reloaded exactly.

The canonical value of each filter lives in `st.session_state` under its own key, so it survives
moving between pages (a widget's own state is dropped on pages that do not draw it). Every run
writes all filters to the query string; a new session reads them back from it. Values from the
URL are checked against what the warehouse offers; a value it does not offer is named in a
warning with what is shown instead. Streamlit pushes a browser history entry whenever the query
string changes, and the URL wins on every run, so the back button undoes a filter change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard import data

KEY_PREFIX = "filter_"
NOT_FOUND_KEY = "filters_not_found"  # what a link asked for that is not there


@dataclass(frozen=True)
class FilterSpec:
    name: str  # the query-string key
    label: str
    help: str


PERIOD = FilterSpec("period", "Financial year", "The year the figures are for (April to March).")
KPI = FilterSpec("kpi", "Indicator", "Which KPI to show.")
AREA = FilterSpec("area", "Local authority", "The London local authority to look at.")
BREAKDOWN = FilterSpec("breakdown", "Breakdown", "Split the figures by a characteristic.")
INTERVALS = FilterSpec("ci", "Show 95% confidence intervals", "Show the uncertainty around each "
                       "figure.")
ALL_FILTERS = (PERIOD, KPI, AREA, BREAKDOWN, INTERVALS)


def _key(spec: FilterSpec) -> str:
    return KEY_PREFIX + spec.name


def _options() -> dict[str, tuple[list[str], str]]:
    """(allowed values, default) for each choice filter."""
    years = data.periods("year")
    kpis = data.kpi_definitions().get_column("id").to_list()
    las = data.local_authorities().get_column("code").to_list()
    breakdowns = list(data.BREAKDOWN_TITLES)
    return {
        PERIOD.name: (years, data.latest_complete_year()),
        KPI.name: (kpis, kpis[0]),
        AREA.name: (las, data.DEFAULT_LA if data.DEFAULT_LA in las else las[0]),
        BREAKDOWN.name: (breakdowns, "all"),
    }


def initialise() -> None:
    """Set every filter's canonical value from the URL (first run) or keep the session's."""
    options = _options()
    params = st.query_params
    not_found: list[str] = []
    # The URL wins whenever it holds an allowed value: a filter changed here has already been
    # written to it (by its widget's callback), and the browser's back button reruns the page
    # with the URL it had before, so going back undoes a change.
    for name, (allowed, default) in options.items():
        key = KEY_PREFIX + name
        wanted = params.get(name)
        if wanted in allowed:
            st.session_state[key] = wanted
        elif key not in st.session_state:
            st.session_state[key] = default
            if wanted is not None:
                not_found.append(_not_found_text(name, wanted, default))
        elif st.session_state[key] not in allowed:
            st.session_state[key] = default
    ci_key = _key(INTERVALS)
    if INTERVALS.name in params or ci_key not in st.session_state:
        st.session_state[ci_key] = params.get(INTERVALS.name, "1") != "0"
    if not_found:
        st.session_state[NOT_FOUND_KEY] = not_found
    for text in st.session_state.get(NOT_FOUND_KEY, []):
        st.warning(text, icon=":material/link_off:")
    write_url()


def _dismiss_not_found() -> None:
    """Forget what the link asked for once the person has chosen something themselves."""
    st.session_state.pop(NOT_FOUND_KEY, None)


def _not_found_text(name: str, wanted: str, shown: str) -> str:
    """'The link asked for local authority "NOTACODE", which is not available: showing
    Lambeth instead.'"""
    spec = next(s for s in ALL_FILTERS if s.name == name)
    return (f"The link asked for {spec.label.lower()} “{wanted}”, which is not available here: "
            f"showing {_label(name, shown)} instead.")


def _label(name: str, value: str) -> str:
    if name == KPI.name:
        return data.kpi_definition(value)["title"]
    if name == AREA.name:
        las = data.local_authorities().filter(pl.col("code") == value)
        return las.item(0, "name") if las.height else value
    if name == BREAKDOWN.name:
        return data.BREAKDOWN_TITLES.get(value, value)
    return value


def write_url() -> None:
    """All filters into the query string, in a fixed order; parameters that pages keep for
    themselves (bound widgets) are left as they are."""
    wanted = {spec.name: str(st.session_state[_key(spec)]) for spec in ALL_FILTERS[:-1]}
    wanted[INTERVALS.name] = "1" if st.session_state[_key(INTERVALS)] else "0"
    for name, wanted_value in wanted.items():
        if st.query_params.get(name) != wanted_value:
            st.query_params[name] = wanted_value


def value(spec: FilterSpec) -> str | bool:
    return st.session_state[_key(spec)]


def _copy_from_widget(spec: FilterSpec) -> None:
    st.session_state[_key(spec)] = st.session_state["widget_" + spec.name]
    _dismiss_not_found()
    write_url()


def _select(spec: FilterSpec, options: Sequence[str], labels: dict[str, str]) -> str:
    # The widget shows the canonical value, which going back in the browser may have changed.
    st.session_state["widget_" + spec.name] = st.session_state[_key(spec)]
    st.sidebar.selectbox(
        spec.label, options, index=0,
        format_func=lambda v: labels.get(v, v), key="widget_" + spec.name, help=spec.help,
        on_change=_copy_from_widget, args=(spec,),
    )
    return st.session_state[_key(spec)]


def period() -> str:
    years = data.periods("year")
    return _select(PERIOD, years, {})


def kpi() -> str:
    definitions = data.kpi_definitions()
    labels = dict(zip(definitions.get_column("id"), definitions.get_column("title"),
                      strict=True))
    return _select(KPI, list(labels), labels)


def area() -> str:
    las = data.local_authorities()
    labels = dict(zip(las.get_column("code"), las.get_column("name"), strict=True))
    return _select(AREA, list(labels), labels)


def breakdown() -> str:
    return _select(BREAKDOWN, list(data.BREAKDOWN_TITLES), data.BREAKDOWN_TITLES)


def intervals() -> bool:
    st.session_state["widget_" + INTERVALS.name] = st.session_state[_key(INTERVALS)]
    st.sidebar.toggle(INTERVALS.label, value=False,
                      key="widget_" + INTERVALS.name, help=INTERVALS.help,
                      on_change=_copy_from_widget, args=(INTERVALS,))
    return bool(st.session_state[_key(INTERVALS)])
