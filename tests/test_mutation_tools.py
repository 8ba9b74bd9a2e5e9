"""The `make mutation` tooling (tools/mutation): the SQL operators change exactly one thing in a
query, never its quoted text or f-string fields, and the allow-list of equivalent mutants is
well formed."""

from __future__ import annotations

from pathlib import Path

import parso
import pytest
from coc_mutation import sql
from coc_mutation.equivalents import ALLOW_LIST, load_equivalents
from coc_mutation.run import in_annotation
from cosmic_ray.mutating import mutate_code

QUERY = '''q = f"""
select a from t
where t.person_id = u.person_id
  and t.start_date <= u.day + {DAYS}
  and coalesce(t.reason like 'completed_%', false)
  and (t.end_date is null or t.x > 1)
"""
'''


def _all_mutants(operator: type[sql.SqlOperator], code: str = QUERY) -> list[str]:
    found, occurrence = [], 0
    while (mutated := mutate_code(code, operator(), occurrence)) is not None:
        found.append(mutated)
        occurrence += 1
    return found


@pytest.mark.parametrize("operator", list(sql.OPERATORS.values()))
def test_each_operator_does_what_its_example_says(operator: type[sql.SqlOperator]) -> None:
    for example in operator.examples():
        assert mutate_code(example.pre_mutation_code, operator(), example.occurrence) == \
            example.post_mutation_code


@pytest.mark.parametrize("operator", list(sql.OPERATORS.values()))
def test_a_mutant_changes_one_line_and_never_quoted_text_or_fields(
        operator: type[sql.SqlOperator]) -> None:
    for mutated in _all_mutants(operator):
        changed = [(a, b) for a, b in zip(QUERY.splitlines(), mutated.splitlines(), strict=True)
                   if a != b]
        assert len(changed) == 1
        before, after = changed[0]
        if after.strip() not in ("where true", "and true", "or false"):
            assert after.count("'") == before.count("'") and after.count("{DAYS}") == \
                before.count("{DAYS}")
        parso.parse(mutated)  # still Python


def test_the_mutants_of_a_query() -> None:
    lines = {m.splitlines()[n] for m in _all_mutants(sql.SqlDropCondition)
             for n in range(len(m.splitlines())) if m.splitlines()[n] != QUERY.splitlines()[n]}
    assert lines == {"where true", "  and true"}
    comparisons = _all_mutants(sql.SqlComparison)
    assert any("t.person_id <> u.person_id" in m for m in comparisons)
    assert any("t.start_date < u.day + {DAYS}" in m for m in comparisons)
    assert any("t.x >= 1" in m for m in comparisons)
    assert any("'completed_%', true)" in m for m in _all_mutants(sql.SqlBoolean))
    assert any("t.end_date is not null" in m for m in _all_mutants(sql.SqlNull))


def test_docstrings_and_plain_strings_are_not_queries() -> None:
    code = '"""Select rows from a table."""\nx = "select from nowhere"\ny = "plain text > 1"\n'
    assert _all_mutants(sql.SqlComparison, code) == []
    assert len(_all_mutants(sql.SqlLogic, 'q = "select a from t where a and b"\n')) == 1


def test_type_annotations_are_not_mutated() -> None:
    module = parso.parse("def f(a: int | None = None) -> int | None:\n    return a | 1\n")
    assert in_annotation(module, (1, 13))  # the | in a parameter's annotation
    assert in_annotation(module, (1, 35))  # the | in the return annotation
    assert not in_annotation(module, (2, 13))  # the | in the body


def test_every_equivalent_mutant_has_a_reason(tmp_path: Path) -> None:
    assert all(reason for reason in load_equivalents(ALLOW_LIST).values())
    bad = tmp_path / "equivalent.toml"
    bad.write_text('[[equivalent]]\nmodule = "m"\noperator = "o"\nline = "a"\nmutated = "b"\n')
    with pytest.raises(ValueError, match="needs a reason"):
        load_equivalents(bad)
