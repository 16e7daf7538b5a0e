"""Parsed and validated documents come from caches, and what a caller is told is still
about the document it sent: two documents equal but for their layout get the same errors,
each at its own line and column."""

from __future__ import annotations

import httpx

from liaison.api.keys import SigningKeys
from world import World, graphql, token


async def test_a_validation_error_points_into_the_document_that_was_sent(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    bearer = token(keys, "customs")
    flat = "{ me { department nonsense } }"
    spread = "{\n  me {\n    department\n    nonsense\n  }\n}"

    answers = [await graphql(http, query, bearer=bearer) for query in (flat, spread, flat)]

    locations = [body["errors"][0]["locations"] for _, body in answers]
    assert locations == [
        [{"line": 1, "column": 19}],
        [{"line": 4, "column": 5}],
        [{"line": 1, "column": 19}],
    ]
    assert {body["errors"][0]["message"] for _, body in answers} == {
        "Cannot query field 'nonsense' on type 'Me'."
    }
