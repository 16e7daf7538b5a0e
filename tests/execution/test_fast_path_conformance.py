"""The fast list completion gives exactly what graphql-core's general executor gives,
errors included: each case runs through both and the results are compared."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry

from liaison.schema.fast_execution import (
    GeneralExecutor,
    LiaisonExecutor,
    Read,
    RowList,
    Shape,
    row_completion,
)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag:
    label: str
    weight: int | None


@strawberry.type
class Thing(Named):
    name: str
    size: int


@strawberry.type
class Item:
    name: str
    count: int | None
    strict_count: int
    colour: Colour | None
    tags: list[Tag]
    maybe_tags: list[Tag | None] | None


@strawberry.type
class Row:
    name: str
    count: int | None
    colour: Colour | None


ROWS = [Row(name=f"row-{n}", count=n, colour=Colour.RED) for n in range(40)]


@strawberry.type
class Box:
    label: str
    item: Item | None


def _item(n: int, **overrides: Any) -> Item:
    values: dict[str, Any] = {
        "name": f"item-{n}",
        "count": n,
        "strict_count": n,
        "colour": Colour.RED if n % 2 else Colour.BLUE,
        "tags": [Tag(label=f"t{n}", weight=n), Tag(label="x", weight=None)],
        "maybe_tags": [Tag(label="m", weight=1), None],
    }
    values.update(overrides)
    return Item(**values)


HEALTHY = [_item(n) for n in range(5)]
NULL_IN_NON_NULL = [_item(0), _item(1, strict_count=None)]
BAD_SCALAR = [_item(0), _item(1, count="not a number")]
BAD_ENUM = [_item(0), _item(1, colour="purple")]
NULL_ITEM = [_item(0), None]


@strawberry.type
class Cell:
    id: strawberry.ID
    name: str
    label: str | None
    count: int | None
    strict_count: int
    colour: Colour | None


@strawberry.type
class CellEdge:
    cursor: str
    node: Cell


@strawberry.type
class CellConnection:
    edges: list[CellEdge]
    total: int


# Rows as a database gives them: (id, name, count, strict_count, colour); the label is a
# constant of the "view", like a withheld field or the owner of a Liaison record.
COLUMNS = {"id": 0, "name": 1, "count": 2, "strict_count": 3, "colour": 4}
GOOD_ROWS = [(n, f"cell-{n}", n, n, "blue" if n % 2 else Colour.RED) for n in range(6)]
ROW_CASES = {
    "good": GOOD_ROWS,
    "empty": [],
    "null in a non-null column": [*GOOD_ROWS[:2], (9, "nine", 9, None, Colour.RED)],
    "bad scalar value": [*GOOD_ROWS[:2], (9, "nine", "many", 9, Colour.RED)],
    "bad enum value": [*GOOD_ROWS[:2], (9, "nine", 9, 9, "purple")],
}


class Cells(RowList):
    built = 0

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def build(self) -> list[Any]:
        Cells.built += 1
        return [
            CellEdge(
                cursor=f"c{row[0]}",
                node=Cell(
                    id=row[0],
                    name=row[1],
                    label="fixed",
                    count=row[2],
                    strict_count=row[3],
                    colour=row[4],
                ),
            )
            for row in self._rows
        ]

    def complete(self, shape: Shape) -> list[Any] | None:
        def read(path: tuple[str, ...]) -> Read | None:
            if path == ("cursor",):
                return Read(0, lambda i: f"c{i}")
            if path == ("node", "label"):
                return Read(constant="fixed")
            if len(path) == 2 and path[0] == "node" and path[1] in COLUMNS:
                return Read(COLUMNS[path[1]])
            return None

        complete = row_completion(shape, read)
        return None if complete is None else [complete(row) for row in self._rows]


@strawberry.type
class Query:
    @strawberry.field
    def cells(self, case: str = "good") -> CellConnection:
        return CellConnection(edges=Cells(ROW_CASES[case]), total=len(ROW_CASES[case]))  # type: ignore[arg-type]

    @strawberry.field
    def items(self, case: str) -> list[Item]:
        return {
            "healthy": HEALTHY,
            "null_in_non_null": NULL_IN_NON_NULL,
            "bad_scalar": BAD_SCALAR,
            "bad_enum": BAD_ENUM,
        }[case]

    @strawberry.field
    def nullable_items(self) -> list[Item | None]:
        return NULL_ITEM

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return NULL_ITEM  # type: ignore[return-value]

    @strawberry.field
    def rows(self, first: int) -> list[Row]:
        return ROWS[:first]

    @strawberry.field
    def boxes(self) -> list[Box]:
        return [Box(label="a", item=HEALTHY[0]), Box(label="b", item=None)]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Thing(name="a", size=1), Thing(name="b", size=2)]


FAST = strawberry.Schema(query=Query, execution_context_class=LiaisonExecutor)
GENERAL = strawberry.Schema(query=Query, execution_context_class=GeneralExecutor)

CASES = {
    "plain fields": '{ items(case: "healthy") { name count colour } }',
    "plain rows": "{ rows(first: 40) { name count colour __typename } }",
    "aliases": '{ items(case: "healthy") { a: name b: name n: count } }',
    "named fragment": '{ items(case: "healthy") { ...F } } fragment F on Item { name colour }',
    "inline fragment": '{ items(case: "healthy") { ... on Item { name } count } }',
    "skip and include": (
        'query($yes: Boolean = true) { items(case: "healthy") '
        "{ name @skip(if: $yes) count @include(if: $yes) colour @include(if: false) } }"
    ),
    "typename": '{ items(case: "healthy") { __typename name } }',
    "nested lists": '{ items(case: "healthy") { tags { label weight } maybeTags { label } } }',
    "nested object": "{ boxes { label item { name tags { label } } } }",
    "null in a non-null field": '{ items(case: "null_in_non_null") { name strictCount } }',
    "bad scalar value": '{ items(case: "bad_scalar") { name count } }',
    "bad enum value": '{ items(case: "bad_enum") { name colour } }',
    "null item in a nullable list": "{ nullableItems { name } }",
    "null item in a non-null list": "{ strictItems { name } }",
    "interface list": "{ named { name ... on Thing { size } } }",
    "field order of overlapping fragments": (
        '{ items(case: "healthy") { count ...F name } } fragment F on Item { colour count }'
    ),
}


ROW_LIST_CASES = {
    "row list: plain leaves": "{ cells { edges { node { id name count colour } } } }",
    "row list: cursor selected": "{ cells { edges { cursor node { id name } } total } }",
    "row list: cursor alone": "{ cells { edges { cursor } } }",
    "row list: constant leaf": "{ cells { edges { node { label name } } } }",
    "row list: aliases": "{ cells { edges { c: cursor node { a: name b: name i: id } } } }",
    "row list: node twice": "{ cells { edges { x: node { name } y: node { count } } } }",
    "row list: typename": (
        "{ cells { __typename edges { __typename node { __typename id } cursor } } }"
    ),
    "row list: fragments": (
        "{ cells { edges { ...E node { ... on Cell { colour } id } } } } "
        "fragment E on CellEdge { node { name id } cursor }"
    ),
    "row list: skip and include": (
        "query($yes: Boolean = true) { cells { edges { cursor @skip(if: $yes) "
        "node { name @include(if: $yes) count @skip(if: $yes) id @include(if: false) } } } }"
    ),
    "row list: two selections of the edges": (
        "{ cells { a: edges { node { name } } b: edges { cursor node { colour } } } }"
    ),
    "row list: empty": '{ cells(case: "empty") { edges { cursor node { name } } total } }',
    "row list: null in a non-null column": (
        '{ cells(case: "null in a non-null column") { edges { node { name strictCount } } } }'
    ),
    "row list: bad scalar value": (
        '{ cells(case: "bad scalar value") { edges { node { name count } } } }'
    ),
    "row list: bad enum value": (
        '{ cells(case: "bad enum value") { edges { node { name colour } } } }'
    ),
}
CASES.update(ROW_LIST_CASES)


def _as_comparable(result: Any) -> tuple[Any, list[Any]]:
    errors = [
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or []])
        for e in result.errors or []
    ]
    return result.data, errors


@pytest.mark.parametrize("query", CASES.values(), ids=CASES.keys())
def test_the_fast_path_gives_exactly_the_general_executors_result(query: str) -> None:
    fast = FAST.execute_sync(query)
    general = GENERAL.execute_sync(query)

    assert _as_comparable(fast) == _as_comparable(general)
    assert list(_key_order(fast.data)) == list(_key_order(general.data))


def _key_order(value: Any) -> Any:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _key_order(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _key_order(inner)


class _Counting:
    def __init__(self) -> None:
        self.executions = 0

    def count_field_execution(self) -> None:
        self.executions += 1


@pytest.mark.parametrize("rows", [1, 10, 40])
@pytest.mark.parametrize("executor", [LiaisonExecutor, GeneralExecutor])
def test_a_flat_list_is_completed_without_a_call_per_field_per_row(
    executor: type, rows: int
) -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    context = _Counting()

    result = schema.execute_sync(
        "query($n: Int!) { rows(first: $n) { name count colour } }",
        variable_values={"n": rows},
        context_value=context,
    )

    assert result.errors is None
    expected = 1 if executor is LiaisonExecutor else 1 + rows * 3
    assert context.executions == expected


def test_the_error_cases_do_go_through_the_fast_path_first() -> None:
    # Without interfaces, Item lists are planned; the errors come from the fallback.
    context = _Counting()

    result = FAST.execute_sync(
        '{ items(case: "healthy") { name count colour tags { label } } }', context_value=context
    )

    assert result.errors is None
    assert context.executions == 1


FUSED = [name for name in ROW_LIST_CASES if "value" not in name and "column" not in name]


@pytest.mark.parametrize("name", FUSED)
def test_a_row_list_of_leaves_is_completed_without_building_its_items(name: str) -> None:
    Cells.built = 0

    result = FAST.execute_sync(ROW_LIST_CASES[name])

    assert result.errors is None
    assert Cells.built == 0


def test_a_row_list_the_rows_cannot_complete_is_built_and_completed_as_before() -> None:
    Cells.built = 0

    result = FAST.execute_sync(ROW_LIST_CASES["row list: bad enum value"])

    assert result.errors is not None
    assert len(result.errors) == 1
    assert Cells.built == 1
