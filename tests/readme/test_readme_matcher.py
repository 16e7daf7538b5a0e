"""The README test's reading of an answer with gaps: what it lets pass and what it catches."""

from __future__ import annotations

from typing import Any

import pytest
from readme_examples import code_blocks, examples, mismatches, parse_with_gaps

ACTUAL = {"data": {"items": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}], "n": 2}}


@pytest.mark.parametrize(
    "shown",
    [
        '{"data": {"items": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}], "n": 2}}',
        '{"data": {"items": [{"id": "1", "name": "a"}, ...], ...}}',
        '{"data": {"items": [{"id": "…", ...}, …], "n": 2}}',
        '{"data": {"items": [...], "n": 2}}',
    ],
)
def test_an_answer_shown_with_gaps_matches_the_whole(shown: str) -> None:
    assert mismatches(parse_with_gaps(shown)[0], ACTUAL) == []


@pytest.mark.parametrize(
    ("shown", "problem"),
    [
        ('{"data": {"items": [...], "n": 3}}', "$.data.n: README shows 3, the demo answers 2"),
        ('{"data": {"items": [...]}}', "$.data.n: not shown in the README"),
        ('{"data": {"items": [{"id": "1", "name": "a"}], "n": 2}}', "$.data.items: 2 element"),
        ('{"data": {"items": [...], "n": 2, "m": 1}}', "$.data.m: missing"),
        ('{"data": {"items": [...], "n": 2.0}}', "$.data.n: README shows 2.0"),
    ],
)
def test_a_difference_in_what_is_shown_is_caught(shown: str, problem: str) -> None:
    found: list[str] = mismatches(parse_with_gaps(shown)[0], ACTUAL)

    assert len(found) == 1
    assert found[0].startswith(problem)


def test_several_answers_in_one_block_are_read_in_turn() -> None:
    values: list[Any] = parse_with_gaps('{"a": 1}\n{"b": [1, ...]}')

    assert len(values) == 2
    assert mismatches(values[1], {"b": [1, 2, 3]}) == []


def test_a_marker_applies_to_the_next_block_and_the_json_after_it_is_its_answer() -> None:
    text = (
        "<!-- example: department=customs roles=auditor,reader -->\n"
        "```graphql\n{ me { department } }\n```\n\nprose\n\n"
        '  ```json\n  {"data": 1}\n  ```\n'
        "```graphql\n{ unmarked }\n```\n"
    )

    found = examples(text)

    assert [(e.language, e.attributes, e.expected) for e in found] == [
        ("graphql", {"department": "customs", "roles": "auditor,reader"}, '{"data": 1}')
    ]
    assert [b.marker for b in code_blocks(text)] == [found[0].attributes, None, None]
