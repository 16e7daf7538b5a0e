"""Liaison's own pages take the fast path, and give what the general executor gives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.api.policy_cache import PolicyCache
from liaison.permissions.principal import Principal, Role
from liaison.schema.build import build_schema
from liaison.schema.context import Context
from liaison.schema.materialize import Page
from world import USCC_CHEMICAL, World, grant, graphql, token

FLAT_PAGE = """
query($first: Int!) {
  enterprises(first: $first) {
    edges { cursor node { id uscc name owner zone address legalRepresentative contactPhone
                          industry registeredOn status statusSince } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@dataclass
class CountingContext(Context):
    executions: int = 0

    def count_field_execution(self) -> None:
        self.executions += 1


async def _execute(
    sessions: async_sessionmaker[AsyncSession], query: str, first: int, *, fast_lists: bool = True
) -> CountingContext:
    schema = build_schema(fast_lists=fast_lists)
    async with sessions() as session:
        access, grants = await PolicyCache().access(session, consumer="market", purpose=None)
        context = CountingContext(
            principal=Principal("t", "market", frozenset({Role.READER}), "tests", "j", 0),
            session=session,
            access=access,
            purpose=None,
            case_reference=None,
            request_id="test",
            grants_in_force=grants,
        )
        result = await schema.execute(query, {"first": first}, context_value=context)
    assert result.errors is None
    assert len(result.data["enterprises"]["edges"]) == first  # type: ignore[index]
    return context


async def _executions(sessions: async_sessionmaker[AsyncSession], first: int) -> int:
    return (await _execute(sessions, FLAT_PAGE, first)).executions


async def test_a_flat_page_executes_the_same_few_fields_whatever_its_size(
    world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    one, three = await _executions(sessions, 1), await _executions(sessions, 3)

    # enterprises, edges, pageInfo, hasNextPage, endCursor: the rows add nothing.
    assert one == three == 5


async def test_a_flat_page_is_completed_from_its_rows_without_building_records(
    world: World, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    objects = Page.objects
    monkeypatch.setattr(Page, "objects", lambda page: built.append(1) or objects(page))

    await _execute(sessions, FLAT_PAGE, 3)

    assert built == []


NESTED_PAGE = """
query($first: Int!) {
  enterprises(first: $first) { edges { node { uscc lifecycle { kind } } } }
}"""


@pytest.mark.parametrize("fast_lists", [True, False])
@pytest.mark.parametrize("query", [FLAT_PAGE, NESTED_PAGE], ids=["flat", "nested"])
async def test_each_record_of_a_page_is_counted_once_however_it_is_completed(
    world: World, sessions: async_sessionmaker[AsyncSession], query: str, fast_lists: bool
) -> None:
    context = await _execute(sessions, query, 3, fast_lists=fast_lists)

    gate = context.require_gate()
    enterprises = [v for v in gate.views() if v.record_type == "enterprise"]
    assert sorted(k for v in enterprises for k in v.keys) == sorted(world.enterprises.values())


@pytest.fixture(scope="session")
def general_app(settings: Settings, keys: SigningKeys) -> object:
    return create_app(settings, fast_lists=False)


@pytest.fixture
async def general_http(general_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=general_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        yield client


QUERIES = {
    "flat page": (FLAT_PAGE, {"first": 3}),
    "masked and withheld": (
        """query($u: String!) { enterprise(uscc: $u) {
             uscc address contactPhone
             dangerousChemicalEntries { casNumber quantity declaredValue entryDate }
        } }""",
        {"u": USCC_CHEMICAL},
    ),
    "aliases and fragments": (
        """{ enterprises(first: 3) { edges { node { a: uscc b: uscc ...E } } } }
           fragment E on Enterprise { name zone n: name __typename }""",
        {},
    ),
    "nested lists": (
        """{ dangerousChemicalEntries(first: 5) { edges { node { id casNumber quantity
             enterprise { uscc zone } } } } }""",
        {},
    ),
    "page: masked, withheld and out of scope": (
        """{ enterprises(first: 3) { edges { node { id uscc name owner zone address
             legalRepresentative contactPhone industry registeredOn status statusSince
        } } } }""",
        {},
    ),
    "page: cursor not selected": ("{ enterprises(first: 3) { edges { node { uscc } } } }", {}),
    "page: cursor alone": ("{ enterprises(first: 3) { edges { cursor } } }", {}),
    "page: typename at every level": (
        """{ enterprises(first: 3) { __typename edges { __typename cursor
             node { __typename id address } } pageInfo { __typename hasNextPage endCursor } } }""",
        {},
    ),
    "page: fragments and aliases": (
        """{ enterprises(first: 3) { edges { ...Edge node { ... on Enterprise { a: address }
             zone ...Node } } } }
           fragment Edge on EnterpriseEdge { c: cursor node { uscc } }
           fragment Node on Enterprise { n: name zone uscc }""",
        {},
    ),
    "page: skip and include": (
        """query($yes: Boolean!, $no: Boolean!) { enterprises(first: 3) { edges {
             cursor @include(if: $no) node { uscc @skip(if: $yes) zone @include(if: $yes)
             address @skip(if: $no) name @include(if: $no) } } } }""",
        {"yes": True, "no": False},
    ),
    "page: node twice, edges twice": (
        """{ enterprises(first: 3) { a: edges { x: node { uscc } y: node { address zone } }
             b: edges { cursor } } }""",
        {},
    ),
    "page: second page": (
        """{ enterprises(first: 1, after: "aWQ6MQ") { edges { cursor node { id zone } }
             pageInfo { hasNextPage endCursor } } }""",
        {},
    ),
    "page: empty": (
        """{ enterprises(first: 0) { edges { cursor node { id zone } }
             pageInfo { hasNextPage endCursor } } }""",
        {},
    ),
    "page: empty after the last record": (
        """{ enterprises(first: 5, after: "aWQ6OTk5OTk") { edges { node { id } }
             pageInfo { hasNextPage endCursor } } }""",
        {},
    ),
    "page: a nested resolver": (
        "{ enterprises(first: 3) { edges { cursor node { address lifecycle { kind } } } } }",
        {},
    ),
    "page of entries: masked amounts and dates": (
        """{ dangerousChemicalEntries(first: 5) { edges { node { id owner casNumber quantity
             declaredValue entryDate unit chemicalName } } } }""",
        {},
    ),
    "page of risks: a translated department": (
        """{ risks(first: 5) { edges { node { id owner level status foundOn
             supervisingDepartment } } } }""",
        {},
    ),
    "page of ratings": (
        "{ creditRatings(first: 5) { edges { node { id owner grade effectiveOn } } } }",
        {},
    ),
}


@pytest.mark.parametrize("caller", ["emergency", "market"])
@pytest.mark.parametrize(("query", "variables"), QUERIES.values(), ids=QUERIES.keys())
async def test_the_fast_path_answers_byte_for_byte_like_the_general_executor(
    http: httpx.AsyncClient,
    general_http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    variables: dict[str, Any],
    caller: str,
) -> None:
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "record_type": "dangerous_chemical_entry",
                "fields": {"cas_number": "full", "quantity": "masked"},
            },
            {
                "provider": "market",
                "consumers": ["emergency"],
                "record_type": "enterprise",
                "scope": {"zones": ["Lingang Chemical Park"]},
                "fields": {"zone": "full", "address": "masked"},
            },
        )
    bearer = token(keys, caller)

    fast = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}", "Liaison-Purpose": "joint_inspection"},
    )
    general = await general_http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}", "Liaison-Purpose": "joint_inspection"},
    )

    assert fast.status_code == general.status_code == 200
    assert fast.content == general.content
    assert "data" in fast.json()


async def test_the_general_executor_is_what_the_fast_one_is_compared_with(
    general_http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    status, body = await graphql(
        general_http, "{ me { department } }", bearer=token(keys, "customs")
    )
    assert (status, body) == (200, {"data": {"me": {"department": "customs"}}})
