"""No error suggests a field, argument, type or enum value the caller did not write: a
misspelling teaches nothing about the schema (ungranted names included)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hostile_support import bearer

from liaison.api.keys import SigningKeys
from world import World

NODE = "edges { node { uscc } }"


@pytest.mark.parametrize(
    ("query", "variables", "unwritten", "says"),
    [
        pytest.param(
            "{ enterprises { edges { node { usc } } } }",
            None,
            "uscc",
            "Cannot query field 'usc' on type 'Enterprise'.",
            id="field",
        ),
        pytest.param(
            "{ dangerousChemicalEntries { edges { node { casNumbr } } } }",
            None,
            "casNumber",
            "Cannot query field 'casNumbr' on type 'DangerousChemicalEntry'.",
            id="governed-field",
        ),
        pytest.param(
            f"{{ enterprises(frist: 2) {{ {NODE} }} }}",
            None,
            "first",
            "Unknown argument 'frist' on field 'Query.enterprises'.",
            id="argument",
        ),
        pytest.param(
            "{ ...F } fragment F on Querry { me { department } }",
            None,
            "Query",
            "Unknown type 'Querry'.",
            id="type-in-fragment-condition",
        ),
        pytest.param(
            "{ enterprises { edges { node { ... on Enterprize { uscc } } } } }",
            None,
            "Enterprise",
            "Unknown type 'Enterprize'.",
            id="type-in-inline-fragment",
        ),
        pytest.param(
            f"query($s: LifecycleKnd) {{ enterprises(filter: {{status: $s}}) {{ {NODE} }} }}",
            None,
            "LifecycleKind",
            "Unknown type 'LifecycleKnd'.",
            id="type-of-a-variable",
        ),
        pytest.param(
            f"{{ enterprises(filter: {{status: IN_OPERATON}}) {{ {NODE} }} }}",
            None,
            "IN_OPERATION",
            "Value 'IN_OPERATON' does not exist in 'LifecycleKind' enum.",
            id="enum-literal",
        ),
        pytest.param(
            f"query($s: LifecycleKind) {{ enterprises(filter: {{status: $s}}) {{ {NODE} }} }}",
            {"s": "IN_OPERATON"},
            "IN_OPERATION",
            "Value 'IN_OPERATON' does not exist in 'LifecycleKind' enum.",
            id="enum-variable",
        ),
        pytest.param(
            f"{{ enterprises(filter: {{stauts: IN_OPERATION}}) {{ {NODE} }} }}",
            None,
            "status",
            "Expected value of type 'EnterpriseFilter' not to include unknown field 'stauts'",
            id="input-field-literal",
        ),
        pytest.param(
            f"query($f: EnterpriseFilter) {{ enterprises(filter: $f) {{ {NODE} }} }}",
            {"f": {"stauts": "IN_OPERATION"}},
            "status",
            "Expected value of type 'EnterpriseFilter' not to include unknown field 'stauts'",
            id="input-field-variable",
        ),
        pytest.param(
            "{ me }",
            None,
            "{ ... }",
            "Field 'me' of type 'Me!' must have a selection of subfields.",
            id="object-without-subfields",
        ),
    ],
)
async def test_no_error_suggests_a_name(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    query: str,
    variables: dict[str, Any] | None,
    unwritten: str,
    says: str,
) -> None:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(keys)
    )

    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    message = body["errors"][0]["message"]
    assert says in message
    assert "did you mean" not in message.lower()
    assert not re.search(rf"(?<![\w$]){re.escape(unwritten)}(?![\w])", message), message
