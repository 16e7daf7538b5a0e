"""Connections page by keyset on the record id: every record once, in order, with cursors a
client cannot forge and page sizes it cannot abuse."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from liaison.api.keys import SigningKeys
from liaison.codes import uscc_check_character
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, graphql, token

REGISTERED = 25

REGISTER = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { enterprise { id uscc } errors { field message } }
}"""

ENTERPRISES = """
query($first: Int, $after: String, $filter: EnterpriseFilter) {
  enterprises(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id uscc name } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def new_uscc(serial: int) -> str:
    first17 = f"91310115MA1P{serial:05d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
async def many(http: httpx.AsyncClient, keys: SigningKeys, world: World) -> list[str]:
    """The world's three enterprises and 25 more, registered through the API: USCCs in id
    order."""
    bearer = token(keys, "market", "contributor")
    for n in range(REGISTERED):
        _, body = await graphql(
            http,
            REGISTER,
            bearer=bearer,
            variables={
                "input": {
                    "uscc": new_uscc(n),
                    "name": f"Paging Test Enterprise {n:02d}",
                    "zone": "Jinshan Chemical Park",
                    "address": "上海市金山区卫零路1号",
                    "legalRepresentative": "李明",
                    "contactPhone": "13900001111",
                    "industry": "basic chemicals",
                    "registeredOn": "2024-04-01",
                    "documentNumber": f"JS-REG-{n:03d}",
                }
            },
        )
        assert body["data"]["registerEnterprise"]["errors"] == [], body
    return [USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, *(new_uscc(n) for n in range(REGISTERED))]


async def page(
    http: httpx.AsyncClient, keys: SigningKeys, department: str = "market", **variables: Any
) -> dict[str, Any]:
    _, body = await graphql(http, ENTERPRISES, bearer=token(keys, department), variables=variables)
    return body


def bad_input_field(body: dict[str, Any]) -> str:
    assert body["data"] is None
    assert len(body["errors"]) == 1, body["errors"]
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    field: str = extensions["field"]
    return field


def cursor_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("department", ["market", "emergency"])
async def test_walking_pages_of_seven_visits_every_enterprise_once_in_id_order(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str], department: str
) -> None:
    seen: list[dict[str, Any]] = []
    has_next: list[bool] = []
    after = None

    while True:
        body = await page(http, keys, department, first=7, after=after)
        assert "errors" not in body, body
        connection = body["data"]["enterprises"]
        edges = connection["edges"]
        seen.extend(edge["node"] for edge in edges)
        has_next.append(connection["pageInfo"]["hasNextPage"])
        assert connection["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert len(has_next) < 10, "the walk does not end"

    # 28 enterprises: exactly four full pages, and the fourth says it is the last.
    assert has_next == [True, True, True, False]
    assert [node["uscc"] for node in seen] == many
    ids = [int(node["id"]) for node in seen]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


async def test_each_cursor_resumes_right_after_its_own_edge(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    first = (await page(http, keys, first=10))["data"]["enterprises"]["edges"]

    resumed = await page(http, keys, first=3, after=first[4]["cursor"])

    assert [e["node"]["uscc"] for e in resumed["data"]["enterprises"]["edges"]] == many[5:8]


async def test_the_page_after_the_last_is_empty_with_a_null_end_cursor(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    everything = (await page(http, keys, first=1000))["data"]["enterprises"]
    assert len(everything["edges"]) == len(many)
    assert everything["pageInfo"]["hasNextPage"] is False

    body = await page(http, keys, first=7, after=everything["pageInfo"]["endCursor"])

    assert "errors" not in body
    assert body["data"]["enterprises"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_without_first_a_page_holds_fifty(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    body = await page(http, keys)

    assert "errors" not in body
    assert len(body["data"]["enterprises"]["edges"]) == len(many)
    assert body["data"]["enterprises"]["pageInfo"]["hasNextPage"] is False


async def test_first_zero_gives_no_edges(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    body = await page(http, keys, first=0)

    assert "errors" not in body
    connection = body["data"]["enterprises"]
    assert connection["edges"] == []
    assert connection["pageInfo"]["endCursor"] is None


@pytest.mark.parametrize("first", [1001, 2_147_483_647, -1, -2_147_483_648])
async def test_a_page_size_outside_zero_to_a_thousand_is_refused_naming_first(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, first: int
) -> None:
    body = await page(http, keys, first=first)

    assert bad_input_field(body) == "first"
    assert "1000" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor!", id="not-base64"),
        pytest.param("", id="empty"),
        pytest.param(cursor_of(b"id:"), id="no-number"),
        pytest.param(cursor_of(b"id:abc"), id="not-a-number"),
        pytest.param(cursor_of(b"id:-5"), id="negative"),
        pytest.param(cursor_of(b"user:5"), id="wrong-prefix"),
        pytest.param(cursor_of(b"\xff\xfe:5"), id="not-utf8"),
        pytest.param(cursor_of("id:²".encode()), id="superscript-digit"),
        pytest.param(cursor_of(b"id:2147483648"), id="beyond-a-32-bit-id"),
        pytest.param(cursor_of(b"id:99999999999999999999999"), id="beyond-any-integer"),
    ],
)
async def test_a_forged_cursor_is_refused_naming_after(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, cursor: str
) -> None:
    body = await page(http, keys, first=5, after=cursor)

    assert bad_input_field(body) == "after"


async def test_name_contains_matches_a_substring_literally(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    paints = await page(http, keys, filter={"nameContains": "涂料"})
    tens = await page(http, keys, filter={"nameContains": "Enterprise 1"})
    wildcard = await page(http, keys, filter={"nameContains": "%"})
    underscore = await page(http, keys, filter={"nameContains": "Paging_Test"})

    for body in (paints, tens, wildcard, underscore):
        assert "errors" not in body, body
    assert [e["node"]["uscc"] for e in paints["data"]["enterprises"]["edges"]] == [USCC_PAINTS]
    assert [e["node"]["name"] for e in tens["data"]["enterprises"]["edges"]] == [
        f"Paging Test Enterprise {n}" for n in range(10, 20)
    ]
    assert wildcard["data"]["enterprises"]["edges"] == []
    assert underscore["data"]["enterprises"]["edges"] == []


async def test_a_filtered_walk_pages_only_the_matching_enterprises(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    first = await page(http, keys, first=4, filter={"nameContains": "Enterprise 1"})
    cursor = first["data"]["enterprises"]["pageInfo"]["endCursor"]
    rest = await page(http, keys, first=20, after=cursor, filter={"nameContains": "Enterprise 1"})

    names = [
        e["node"]["name"] for body in (first, rest) for e in body["data"]["enterprises"]["edges"]
    ]
    assert names == [f"Paging Test Enterprise {n}" for n in range(10, 20)]
    assert first["data"]["enterprises"]["pageInfo"]["hasNextPage"] is True
    assert rest["data"]["enterprises"]["pageInfo"]["hasNextPage"] is False


async def test_uscc_in_selects_exactly_the_listed_enterprises_however_they_are_written(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    wanted = [many[20], USCC_WAREHOUSE, many[4]]

    body = await page(
        http, keys, filter={"usccIn": [f" {wanted[0].lower()}", wanted[1], wanted[2]]}
    )

    assert "errors" not in body, body
    assert [e["node"]["uscc"] for e in body["data"]["enterprises"]["edges"]] == [
        USCC_WAREHOUSE,
        many[4],
        many[20],
    ]


async def test_uscc_in_with_an_empty_list_matches_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, many: list[str]
) -> None:
    body = await page(http, keys, filter={"usccIn": []})

    assert "errors" not in body, body
    assert body["data"]["enterprises"]["edges"] == []


async def test_uscc_in_with_an_invalid_uscc_is_refused_naming_the_filter_field(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    broken = USCC_PAINTS[:-1] + ("0" if USCC_PAINTS[-1] != "0" else "1")

    body = await page(http, keys, filter={"usccIn": [USCC_CHEMICAL, broken]})

    assert bad_input_field(body) == "filter.usccIn"
    assert "check character" in body["errors"][0]["message"]


# ---------------------------------------------------------------------------------------
# The other top-level connections page the caller's own records.

RECORDS = {
    "dangerousChemicalEntries": ("customs", "owner casNumber"),
    "creditRatings": ("customs", "owner grade"),
    "risks": ("emergency", "owner status"),
}


def records_query(name: str, fields: str) -> str:
    return f"""
    query($first: Int, $after: String) {{
      {name}(first: $first, after: $after) {{
        edges {{ cursor node {{ id {fields} enterprise {{ uscc }} }} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}"""


@pytest.mark.parametrize("name", list(RECORDS))
async def test_a_record_connection_pages_the_owners_records_in_id_order(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, name: str
) -> None:
    owner, fields = RECORDS[name]
    query = records_query(name, fields)
    bearer = token(keys, owner)

    _, first = await graphql(http, query, bearer=bearer, variables={"first": 2})
    cursor = first["data"][name]["pageInfo"]["endCursor"]
    _, second = await graphql(http, query, bearer=bearer, variables={"first": 2, "after": cursor})

    assert "errors" not in first, first
    assert "errors" not in second, second
    assert first["data"][name]["pageInfo"]["hasNextPage"] is True
    assert second["data"][name]["pageInfo"]["hasNextPage"] is False
    nodes = [e["node"] for body in (first, second) for e in body["data"][name]["edges"]]
    assert [n["enterprise"]["uscc"] for n in nodes] == [
        USCC_CHEMICAL,
        USCC_PAINTS,
        USCC_WAREHOUSE,
    ]
    assert {n["owner"] for n in nodes} == {owner}
    ids = [int(n["id"]) for n in nodes]
    assert ids == sorted(set(ids))


@pytest.mark.parametrize(
    ("name", "department"),
    [
        ("dangerousChemicalEntries", "emergency"),
        ("dangerousChemicalEntries", "market"),
        ("creditRatings", "emergency"),
        ("risks", "customs"),
        ("risks", "park"),
    ],
)
async def test_a_record_connection_holds_nothing_of_another_departments_without_a_grant(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, name: str, department: str
) -> None:
    _, fields = RECORDS[name]

    _, body = await graphql(
        http, records_query(name, fields), bearer=token(keys, department), variables={"first": 10}
    )

    assert "errors" not in body, body
    assert body["data"][name] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


@pytest.mark.parametrize("name", list(RECORDS))
async def test_a_record_connection_refuses_a_forged_cursor_and_an_oversized_page(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, name: str
) -> None:
    owner, fields = RECORDS[name]
    query = records_query(name, fields)

    _, forged = await graphql(
        http, query, bearer=token(keys, owner), variables={"after": cursor_of(b"id:x")}
    )
    _, oversized = await graphql(http, query, bearer=token(keys, owner), variables={"first": 5000})

    assert bad_input_field(forged) == "after"
    assert bad_input_field(oversized) == "first"
