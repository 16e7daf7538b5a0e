"""Depth, aliases, tokens, document and variables size: each refused before execution with
one LIMIT_EXCEEDED error naming the limit; a document at the limit is served."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from hostile_support import GRAPHQL_RESPONSE_JSON, bearer, client_with

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from world import World

ME_QUERY = "{ me { department } }"
DEPTH_6 = "{ enterprises { edges { node { dangerousChemicalEntries { enterprise { uscc } } } } } }"


async def post(
    client: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    variables: dict[str, Any] | None = None,
    accept: str = "application/json",
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**bearer(keys), "Accept": accept},
    )


def the_limit_error(response: httpx.Response, limit: str) -> dict[str, Any]:
    body = response.json()
    assert "data" not in body, body
    assert len(body["errors"]) == 1, body
    error: dict[str, Any] = body["errors"][0]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED", error
    assert error["extensions"]["limit"] == limit
    return error


@pytest.mark.parametrize(("max_depth", "served"), [(6, True), (5, False)])
async def test_an_operation_deeper_than_the_limit_is_refused_and_one_at_it_served(
    settings: Settings, keys: SigningKeys, world: World, max_depth: int, served: bool
) -> None:
    async with client_with(settings, max_depth=max_depth) as client:
        response = await post(client, keys, DEPTH_6)

    assert response.status_code == 200
    if served:
        assert response.json()["data"]["enterprises"]["edges"]
    else:
        error = the_limit_error(response, "depth")
        assert error["extensions"]["maximum"] == 5
        assert error["extensions"]["found"] == 6
        assert error["message"] == "The operation nests fields 6 deep; at most 5 are allowed."


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "query Deep { enterprises { edges { ...N } } }"
            " fragment N on EnterpriseEdge { node { dangerousChemicalEntries { ...E } } }"
            " fragment E on DangerousChemicalEntry { enterprise { uscc } }",
            id="fragments",
        ),
        pytest.param(
            "query Deep { enterprises { edges { ... on EnterpriseEdge { node {"
            " ... { dangerousChemicalEntries { enterprise { uscc } } } } } } } }",
            id="inline-fragments",
        ),
    ],
)
async def test_depth_is_counted_through_fragments(
    settings: Settings, keys: SigningKeys, world: World, query: str
) -> None:
    async with client_with(settings, max_depth=5) as client:
        response = await post(client, keys, query, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400
    error = the_limit_error(response, "depth")
    assert error["message"] == "Operation 'Deep' nests fields 6 deep; at most 5 are allowed."


async def test_the_introspection_query_of_graphiql_passes_the_default_limits(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    response = await post(http, keys, query)

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_nested_without_end_is_refused_by_graphql_core(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    nested = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"

    response = await post(http, keys, nested)

    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert body["errors"][0]["message"] == "Maximum introspection depth exceeded"


ALIASES_THROUGH_FRAGMENTS = """
query Many { ...Four ...Four me { ...Two } }
fragment Four on Query { a: me { department } b: me { department } ...TwoAtRoot }
fragment TwoAtRoot on Query { c: me { department } d: me { department } }
fragment Two on Me { e: department f: department }
"""


@pytest.mark.parametrize(("max_aliases", "served"), [(10, True), (9, False)])
async def test_aliases_are_counted_through_fragments_each_time_they_are_spread(
    settings: Settings, keys: SigningKeys, world: World, max_aliases: int, served: bool
) -> None:
    # ...Four twice: 2 x (2 + 2) aliases, and 2 more under me: 10.
    async with client_with(settings, max_aliases=max_aliases) as client:
        response = await post(client, keys, ALIASES_THROUGH_FRAGMENTS)

    assert response.status_code == 200
    if served:
        assert response.json()["data"]["a"] == {"department": "customs"}
    else:
        error = the_limit_error(response, "aliases")
        assert error["extensions"] == {
            "code": "LIMIT_EXCEEDED",
            "limit": "aliases",
            "maximum": 9,
            "found": 10,
        }


async def test_a_document_with_more_tokens_than_the_limit_is_not_parsed_further(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    query = "{ me { " + "department " * 60 + "} }"  # 6 + 60 tokens

    async with client_with(settings, max_tokens=50) as client:
        response = await post(client, keys, query, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert "Document contains more than 50 tokens. Parsing aborted." in body["errors"][0]["message"]


async def test_comments_count_against_the_token_limit_too(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    query = "#\n" * 100 + ME_QUERY

    async with client_with(settings, max_tokens=50) as client:
        response = await post(client, keys, query)

    body = response.json()
    assert "data" not in body
    assert "Document contains more than 50 comments." in body["errors"][0]["message"]


async def test_the_document_size_is_counted_in_utf8_bytes(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    # 21 bytes of query plus a comment of 40 three-byte characters: 143 bytes, 63 characters.
    query = "# " + "危" * 40 + "\n" + ME_QUERY

    async with client_with(settings, max_document_bytes=100) as client:
        response = await post(client, keys, query, accept=GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400
    error = the_limit_error(response, "documentBytes")
    assert error["extensions"]["found"] == len(query.encode())
    assert error["extensions"]["maximum"] == 100


@pytest.mark.parametrize(("size", "served"), [(1000, True), (1001, False)])
async def test_variables_larger_than_the_limit_are_refused(
    settings: Settings, keys: SigningKeys, world: World, size: int, served: bool
) -> None:
    filler = "x" * (size - len('{"u":""}'))
    query = "query($u: String!) { enterprise(uscc: $u) { uscc } }"

    async with client_with(settings, max_variables_bytes=1000) as client:
        response = await post(client, keys, query, variables={"u": filler})

    assert response.status_code == 200
    if served:  # executed: the resolver itself refuses a 992-character USCC
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    else:
        error = the_limit_error(response, "variablesBytes")
        assert error["extensions"]["found"] == 1001


def fragment_fan_out(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels paths through ~10 tokens a level."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ me {{ department }} a: me {{ roles }} }}")
    return "query Fan { ...F0 }\n" + "\n".join(fragments)


async def test_a_fragment_fan_out_costs_linear_time_in_every_check(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    # 2**40 paths: any check that walked each path would never finish.
    started = time.perf_counter()

    response = await post(http, keys, fragment_fan_out(40))

    assert time.perf_counter() - started < 5
    body = response.json()
    # The alias is counted once per spread: 2**40 of them.
    assert body["errors"][0]["extensions"]["limit"] == "aliases"
    assert body["errors"][0]["extensions"]["found"] == 2**40


async def test_a_fragment_fan_out_within_the_limits_is_executed_quickly(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    query = fragment_fan_out(40).replace(" a: me { roles }", "")
    started = time.perf_counter()

    response = await post(http, keys, query)

    assert time.perf_counter() - started < 5
    assert response.json() == {"data": {"me": {"department": "customs"}}}


async def test_zero_turns_each_document_limit_off(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    query = (
        "query($u: String!) { a: me { department } b: me { department }"
        " e: enterprise(uscc: $u) { uscc } }"
    )
    async with client_with(
        settings,
        max_depth=0,
        max_aliases=0,
        max_tokens=0,
        max_document_bytes=0,
        max_variables_bytes=0,
        max_directives_per_location=0,
        max_directives=0,
        max_validation_errors=0,
    ) as client:
        deep = await post(client, keys, DEPTH_6)
        aliased = await post(client, keys, query, variables={"u": "91310115MA1K4ABC05"})
        directed = await post(
            client, keys, "{ me" + " @include(if: true)" * 60 + " { department } }"
        )
        invalid = await post(client, keys, "{ " + " ".join(f"nope{n}" for n in range(120)) + " }")

    assert deep.json()["data"]["enterprises"]["edges"]
    assert aliased.json()["data"]["e"] == {"uscc": "91310115MA1K4ABC05"}
    # Off: graphql-core's own rules speak (one error per repetition), and every error.
    assert len(directed.json()["errors"]) == 59
    assert len(invalid.json()["errors"]) == 120


async def test_a_document_parsed_under_a_generous_limit_is_still_refused_under_a_strict_one(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    # Parsed documents are cached per process, keyed by the parse options as well.
    query = "{ me { " + "department " * 60 + "} }"

    async with client_with(settings, max_tokens=500) as client:
        generous = await post(client, keys, query)
        again = await post(client, keys, query)
    async with client_with(settings, max_tokens=50) as client:
        strict = await post(client, keys, query)

    assert generous.status_code == again.status_code == 200
    assert generous.json() == again.json()
    assert "errors" not in generous.json()
    assert len(strict.json()["errors"]) == 1
    assert "Document contains more than 50 tokens." in strict.json()["errors"][0]["message"]


async def test_a_syntax_error_is_reported_on_every_request_not_cached(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings) as client:
        first = await post(client, keys, "{ me { department }")
        second = await post(client, keys, "{ me { department }")

    assert first.json() == second.json()
    assert len(first.json()["errors"]) == 1
    assert "Syntax Error" in first.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("{ __typename" + " @aa" * 10 + " }", 10),  # unknown directives
        ("{ me" + " @include(if: true)" * 50 + " { department } }", 50),  # one repeated
        ("query Q" + " @aa" * 4 + " { me { department } }", 4),  # on the operation
        ("{ ...F }\nfragment F on Query" + " @aa" * 5 + " { __typename }", 5),
    ],
    ids=["unknown", "repeated", "on-operation", "on-fragment"],
)
async def test_directives_crowding_one_location_are_refused_with_one_error(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, query: str, found: int
) -> None:
    response = await post(http, keys, query)

    error = the_limit_error(response, "directivesPerLocation")
    assert error["extensions"]["maximum"] == 3
    assert error["extensions"]["found"] == found
    assert (
        f"carries {found} directives; at most 3 are allowed at one location." in (error["message"])
    )


async def test_the_location_of_crowded_directives_is_named(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await post(http, keys, "{\n  me @a @b @c @d { department } }")

    assert the_limit_error(response, "directivesPerLocation")["message"] == (
        "The field 'me' at line 2, column 3 carries 4 directives; at most 3 are allowed at "
        "one location."
    )


async def test_directives_over_the_documents_limit_are_refused_with_one_error(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    fields = " ".join(f"f{n}: __typename @include(if: true)" for n in range(8))
    async with client_with(settings, max_directives=5, max_aliases=0) as client:
        response = await post(client, keys, "{ " + fields + " }")

    error = the_limit_error(response, "directives")
    assert (error["extensions"]["maximum"], error["extensions"]["found"]) == (5, 8)
    assert error["message"] == "The document carries 8 directives; at most 5 are allowed."


async def test_directives_within_the_limits_are_served(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    response = await post(http, keys, "{ me @include(if: true) @skip(if: false) { department } }")

    assert response.json() == {"data": {"me": {"department": "customs"}}}


async def test_validation_stops_after_the_limit_and_says_so_once(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    # Thirty misspelled fields, each a validation error of its own.
    query = "{ " + " ".join(f"f{n}: nope{n}" for n in range(30)) + " }"
    async with client_with(settings, max_aliases=0) as client:
        response = await post(client, keys, query)

    errors = response.json()["errors"]
    assert len(errors) == 11
    assert all("Cannot query field" in e["message"] for e in errors[:10])
    assert errors[10]["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "validationErrors",
        "maximum": 10,
        "found": 11,
    }
    assert errors[10]["message"] == (
        "Validation stopped after 10 errors; correct these and send the document again."
    )
