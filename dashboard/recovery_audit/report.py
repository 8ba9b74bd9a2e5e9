"""The Recovery Audit for the board pack and the workbook: the latest round's results for London
or a borough, read from the app store and the warehouse's services directory. None when there
is no round (or the store cannot be opened), so the exports simply leave the audit out."""

from __future__ import annotations

import polars as pl

from dashboard import data, store
from dashboard.recovery_audit import records, results, scoring
from pipelines.definitions.reference import LONDON_CODE


def latest(scope_code: str) -> tuple[results.Results, pl.DataFrame, bool] | None:
    """(results of the current round for the scope, R8 training by place in the scope, whether
    the audit entries are the synthetic sample)."""
    try:
        app = store.app_store()
        round_table = records.rounds(app)
        answers = records.answers(app)
        training = records.training(app)
        frameworks = records.frameworks(app)
    except store.StoreUnavailable:
        return None
    round_id = records.current_round(round_table)
    if round_id is None:
        return None
    directory = scoring.directory(data.services(), data.prisons(), data.local_authorities())
    london = scope_code == LONDON_CODE
    found = results.compute(answers, round_table, frameworks, directory, round_id,
                            results.LONDON if london else results.AREA,
                            None if london else scope_code)
    in_scope = directory if london else directory.filter(pl.col("area_code") == scope_code)
    by_place = results.training_by_place(
        training.filter(pl.col("service_id").is_in(in_scope.get_column("service_id")
                                                   .to_list())), directory)
    return found, by_place, records.is_sample(answers) or records.is_sample(training)
