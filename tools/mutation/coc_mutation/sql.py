"""cosmic-ray operators that mutate the SQL held in Python string literals.

cosmic-ray's own operators change Python syntax only, so the journey definitions, which are DuckDB
SQL in `pipelines/journeys.py`, would go untested. These operators edit the text of a string
literal that reads as a query (it has `select ... from` and is not a docstring), one change per
mutant. Text inside SQL quotes ('completed_%') and inside f-string fields ({YEAR_DAYS}) is never
touched: the numbers in those fields are Python constants, which cosmic-ray's NumberReplacer
already mutates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import parso
from cosmic_ray.operators.operator import Example, Operator

SQL_LITERAL = re.compile(r"\bselect\b.*\bfrom\b", re.IGNORECASE | re.DOTALL)
MASKED = re.compile(r"'[^']*'|\{[^{}]*\}")
DELIMITER = re.compile("[a-zA-Z]*('''|\"\"\"|'|\")")

Position = tuple[int, int]


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] of the literal with `text`."""

    start: int
    end: int
    text: str


def sql_text(node: parso.tree.NodeOrLeaf) -> str | None:
    """The literal's source (prefix excluded) when `node` is a SQL string literal, else None."""
    if node.type not in ("string", "fstring"):
        return None
    if node.parent is not None and node.parent.type in ("simple_stmt", "file_input"):
        return None  # a docstring or a bare expression, not a query
    code = node.get_code(include_prefix=False)
    return code if SQL_LITERAL.search(code) else None


def masked(text: str) -> str:
    """`text` with SQL quoted strings and f-string fields masked as `x`s (same length), so they
    are never edited but still count as part of the condition around them."""
    opening = DELIMITER.match(text)
    assert opening is not None, "not a string literal"
    start, end = opening.end(), len(text) - len(opening.group(1))
    body = MASKED.sub(lambda m: "x" * len(m.group()), text[start:end])
    return " " * start + body + " " * (len(text) - end)


def _position(node: parso.tree.NodeOrLeaf, text: str, offset: int) -> Position:
    line, column = node.start_pos
    before = text[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return line, column + offset
    return line + newlines, offset - before.rfind("\n") - 1


class SqlOperator(Operator):
    """One mutant per place where `edits` finds something to change in a SQL literal."""

    def edits(self, sql: str) -> list[Edit]:
        raise NotImplementedError

    def mutation_positions(self, node: parso.tree.NodeOrLeaf
                           ) -> Iterator[tuple[Position, Position]]:
        text = sql_text(node)
        if text is None:
            return
        for edit in self.edits(text):
            yield _position(node, text, edit.start), _position(node, text, edit.end)

    def mutate(self, node: parso.tree.NodeOrLeaf, index: int) -> parso.tree.NodeOrLeaf:
        text = sql_text(node)
        assert text is not None
        edit = self.edits(text)[index]
        mutated = parso.parse(text[:edit.start] + edit.text + text[edit.end:]).children[0]
        assert mutated.type == node.type, "a SQL edit must leave one string literal"
        mutated.get_first_leaf().prefix = node.get_first_leaf().prefix
        return mutated


def _replacements(sql: str, pattern: str, swap: dict[str, str], flags: int = 0) -> list[Edit]:
    return [Edit(m.start(), m.end(), swap[m.group().lower()])
            for m in re.finditer(pattern, masked(sql), flags)]


class SqlComparison(SqlOperator):
    """A boundary moved by one: `<` and `<=`, `>` and `>=` swapped; `=` and `<>` swapped."""

    SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "=": "<>", "<>": "=", "!=": "="}

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"(?<![<>!=])(<=|>=|<>|!=|<|>|=)(?![<>=])", self.SWAP)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select a from t where a > 1'", "q = 'select a from t where a >= 1'"),)


class SqlLogic(SqlOperator):
    """`and` and `or` swapped."""

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"\b(and|or)\b", {"and": "or", "or": "and"}, re.IGNORECASE)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select a from t where a and b'",
                        "q = 'select a from t where a or b'"),)


class SqlDropCondition(SqlOperator):
    """A condition on its own line (`and x = y`, `where ...`, `on ...`) made always true, or an
    `or ...` alternative made always false: as if the line had been left out."""

    LINE = re.compile(r"^[ \t]*(and|or|where|on)[ \t]+(?P<condition>[^\n]*?)[ \t]*,?$",
                      re.IGNORECASE | re.MULTILINE)

    def edits(self, sql: str) -> list[Edit]:
        found = []
        for match in self.LINE.finditer(masked(sql)):
            condition = match.group("condition")
            if not condition or not _balanced(condition):
                continue
            keyword = match.group(1).lower()
            found.append(Edit(match.start("condition"), match.end("condition"),
                              "false" if keyword == "or" else "true"))
        return found

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example('q = """select a from t\n where a = 1\n and b = 2\n"""',
                        'q = """select a from t\n where true\n and b = 2\n"""'),)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


class SqlBoolean(SqlOperator):
    """`true` and `false` swapped (e.g. the default of a `coalesce`)."""

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"\b(true|false)\b", {"true": "false", "false": "true"},
                             re.IGNORECASE)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select coalesce(a, false) from t'",
                        "q = 'select coalesce(a, true) from t'"),)


class SqlArithmetic(SqlOperator):
    """`+` and `-` swapped (a window counted backwards instead of forwards)."""

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"(?<=\s)[+-](?=\s)", {"+": "-", "-": "+"})

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select a + 1 from t'", "q = 'select a - 1 from t'"),)


class SqlNull(SqlOperator):
    """`is null` and `is not null` swapped."""

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"\bis\s+(not\s+)?null\b",
                             {"is null": "is not null", "is not null": "is null"}, re.IGNORECASE)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select a from t where b is null'",
                        "q = 'select a from t where b is not null'"),)


class SqlAggregate(SqlOperator):
    """`min` and `max`, `bool_or` and `bool_and` swapped; a `left join` made an inner join."""

    SWAP = {"min(": "max(", "max(": "min(", "bool_or(": "bool_and(", "bool_and(": "bool_or(",
            "left join": "join"}

    def edits(self, sql: str) -> list[Edit]:
        return _replacements(sql, r"\b(min|max|bool_or|bool_and)\(|\bleft join\b", self.SWAP,
                             re.IGNORECASE)

    @classmethod
    def examples(cls) -> tuple[Example, ...]:
        return (Example("q = 'select min(a) from t'", "q = 'select max(a) from t'"),)


OPERATORS: dict[str, type[SqlOperator]] = {
    op.__name__: op
    for op in (SqlComparison, SqlLogic, SqlDropCondition, SqlBoolean, SqlArithmetic, SqlNull,
               SqlAggregate)
}


class SqlOperatorProvider:
    """cosmic-ray operator provider (entry point `cosmic_ray.operator_providers`: `sql`)."""

    def __iter__(self) -> Iterator[str]:
        return iter(OPERATORS)

    def __getitem__(self, name: str) -> type[SqlOperator]:
        return OPERATORS[name]
