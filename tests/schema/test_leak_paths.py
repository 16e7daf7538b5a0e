"""No leak by any path: every way of reaching a record or a field passes the same gate.

The running example: customs shares dangerous-chemical entries with emergency management
for joint inspections, the CAS number in full and the quantity masked; the declared value
is not shared. World data (tests/world.py): three enterprises, two in Lingang Chemical Park
and one in Waigaoqiao Bonded Zone, each with one Benzene entry of 12500 kg declared at
186000 CNY, one customs credit rating and one risk found by emergency management.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.keys import SigningKeys
from world import (
    DEPARTMENTS,
    USCC_CHEMICAL,
    USCC_PAINTS,
    USCC_WAREHOUSE,
    World,
    grant,
    token,
)

Sessions = async_sessionmaker[AsyncSession]

CHEMICALS_TO_EMERGENCY: dict[str, Any] = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "dangerous_chemical_entry",
    "purposes": ["joint_inspection"],
    "fields": {"cas_number": "full", "quantity": "masked"},
}
ALL_USCCS = [USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE]
MASKED_QUANTITY = "12000..13000"
# Raw values that must never reach emergency in any form.
RAW_QUANTITY = "12500"
RAW_DECLARED_VALUE = "186000"
MISSING_ID = "2147483647"  # a valid id no record has


def entry_grant(**changes: Any) -> dict[str, Any]:
    return {**CHEMICALS_TO_EMERGENCY, **changes}


def enterprise_grant(fields: dict[str, str], **changes: Any) -> dict[str, Any]:
    return {
        "provider": "market",
        "consumers": ["emergency"],
        "record_type": "enterprise",
        "purposes": ["joint_inspection"],
        "fields": fields,
        **changes,
    }


async def share(sessions: Sessions, *grants: dict[str, Any], **agreement: Any) -> None:
    async with sessions() as session, session.begin():
        await grant(session, *grants, **agreement)


async def ask(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    *,
    department: str = "emergency",
    purpose: str | None = "joint_inspection",
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
    roles: tuple[str, ...] = ("reader",),
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token(keys, department, *roles)}"}
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation is not None:
        payload["operationName"] = operation
    response = await http.post("/graphql", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def record_id(sessions: Sessions, table: str, uscc: str) -> str:
    """The id of the one ``table`` record of the enterprise ``uscc``, read with plain SQL."""
    assert table in {"dangerous_chemical_entry", "credit_rating", "risk"}
    async with sessions() as session:
        found = await session.scalar(
            text(
                f"SELECT r.id FROM {table} r JOIN enterprise e ON e.id = r.enterprise_id "  # noqa: S608 - table is checked above
                "WHERE e.uscc = :uscc ORDER BY r.id"
            ),
            {"uscc": uscc},
        )
    assert found is not None
    return str(found)


def errors_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = body.get("errors", [])
    return errors


def objects_with(data: Any, key: str) -> list[dict[str, Any]]:
    """Every object anywhere in ``data`` that has ``key``, in document order."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if key in data:
            found.append(data)
        for value in data.values():
            found.extend(objects_with(value, key))
    elif isinstance(data, list):
        for item in data:
            found.extend(objects_with(item, key))
    return found


def node_list(data: dict[str, Any], root: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data[root]["edges"]]


def forbidden_fields(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["field"] for e in errors_of(body)]


# --- the ungranted field, through every path ---------------------------------------------

ENTRY_FIELDS = "casNumber quantity declaredValue"


def fill(template: str, fields: str = ENTRY_FIELDS) -> str:
    return template.replace("<>", fields)


TOP_LEVEL = "{ dangerousChemicalEntries { edges { node { <> } } } }"


PATHS = [
    pytest.param(
        fill(
            "query($uscc: String!) { enterprise(uscc: $uscc) { dangerousChemicalEntries { <> } } }"
        ),
        {"uscc": USCC_CHEMICAL},
        ("declaredValue",),
        1,
        1,
        id="nested under enterprise(uscc:)",
    ),
    pytest.param(
        fill("{ enterprises { edges { node { uscc dangerousChemicalEntries { <> } } } } }"),
        {},
        ("declaredValue",),
        3,
        1,
        id="nested under the enterprises connection",
    ),
    pytest.param(fill(TOP_LEVEL, ENTRY_FIELDS), {}, ("declaredValue",), 3, 1, id="top-level list"),
    pytest.param(
        fill("query($id: ID!) { dangerousChemicalEntry(id: $id) { <> } }"),
        {"id": "<chemical entry>"},
        ("declaredValue",),
        1,
        1,
        id="lookup by id",
    ),
    pytest.param(
        fill(
            "query($id: ID!) { dangerousChemicalEntry(id: $id) { enterprise {"
            " dangerousChemicalEntries { <> } } } }"
        ),
        {"id": "<chemical entry>"},
        ("declaredValue",),
        1,
        1,
        id="lookup, back to its enterprise and down again",
    ),
    pytest.param(
        fill(TOP_LEVEL, "...Entry") + fill(" fragment Entry on DangerousChemicalEntry { <> }"),
        {},
        ("declaredValue",),
        3,
        1,
        id="named fragment",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity ... on DangerousChemicalEntry { declaredValue }"),
        {},
        ("declaredValue",),
        3,
        1,
        id="inline fragment with a type condition",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity ... { declaredValue }"),
        {},
        ("declaredValue",),
        3,
        1,
        id="inline fragment without a type condition",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity value: declaredValue again: declaredValue"),
        {},
        ("value", "again"),
        3,
        2,  # one error for the field, listing the location of each alias
        id="two aliases of the same field",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity ...Value ...Value")
        + " fragment Value on DangerousChemicalEntry { declaredValue }",
        {},
        ("declaredValue",),
        3,
        1,  # one selection in the document: one location, not one per spread
        id="fragment spread twice",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity declaredValue @include(if: true)"),
        {},
        ("declaredValue",),
        3,
        1,
        id="@include(if: true)",
    ),
    pytest.param(
        fill(TOP_LEVEL, "casNumber quantity declaredValue @skip(if: false)"),
        {},
        ("declaredValue",),
        3,
        1,
        id="@skip(if: false)",
    ),
    pytest.param(
        "query($yes: Boolean!) { dangerousChemicalEntries { edges { node {"
        " casNumber quantity declaredValue @include(if: $yes) } } } }",
        {"yes": True},
        ("declaredValue",),
        3,
        1,
        id="@include with a variable",
    ),
]


@pytest.mark.parametrize(("query", "variables", "withheld", "records", "locations"), PATHS)
async def test_an_ungranted_field_is_null_with_one_forbidden_error_through_every_path(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    query: str,
    variables: dict[str, Any],
    withheld: tuple[str, ...],
    records: int,
    locations: int,
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    if variables.get("id") == "<chemical entry>":
        variables = {"id": await record_id(sessions, "dangerous_chemical_entry", USCC_CHEMICAL)}

    body = await ask(http, keys, query, variables=variables)

    entries = objects_with(body["data"], "casNumber")
    assert len(entries) == records
    for entry in entries:
        assert entry["casNumber"] == "71-43-2"
        assert entry["quantity"] == MASKED_QUANTITY
        assert [entry[key] for key in withheld] == [None] * len(withheld)
    assert RAW_DECLARED_VALUE not in json.dumps(body)
    assert RAW_QUANTITY not in json.dumps(body)
    assert len(errors_of(body)) == 1
    error = errors_of(body)[0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "DangerousChemicalEntry.declaredValue"
    assert error["extensions"]["owners"] == ["customs"]
    assert error["extensions"]["withheldRecords"] == records
    assert len(error["locations"]) == locations
    assert "did you mean" not in error["message"].lower()


async def test_the_second_of_two_named_operations_passes_the_gate_it_selects(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    query = "query Harmless { me { department } } query Values " + fill(TOP_LEVEL, ENTRY_FIELDS)

    body = await ask(http, keys, query, operation="Values")

    entries = node_list(body["data"], "dangerousChemicalEntries")
    assert [e["declaredValue"] for e in entries] == [None, None, None]
    assert forbidden_fields(body) == ["DangerousChemicalEntry.declaredValue"]


async def test_a_get_request_passes_the_same_gate_as_a_post(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)

    response = await http.get(
        "/graphql",
        params={"query": fill(TOP_LEVEL, ENTRY_FIELDS)},
        headers={
            "Authorization": f"Bearer {token(keys, 'emergency')}",
            "Liaison-Purpose": "joint_inspection",
        },
    )

    body = response.json()
    assert response.status_code == 200
    entries = node_list(body["data"], "dangerousChemicalEntries")
    assert [(e["quantity"], e["declaredValue"]) for e in entries] == [(MASKED_QUANTITY, None)] * 3
    assert forbidden_fields(body) == ["DangerousChemicalEntry.declaredValue"]


async def test_a_mutation_payload_passes_the_same_gate(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    mutation = fill(
        """
    mutation($uscc: String!) {
      reportRisk(input: {uscc: $uscc, category: "fire", description: "blocked exit",
                         level: MAJOR, foundOn: "2026-05-01",
                         rectificationDeadline: "2026-06-01",
                         supervisingDepartment: "emergency"}) {
        errors { field }
        risk { category enterprise { address dangerousChemicalEntries { <> } } }
      }
    }"""
    )

    body = await ask(
        http, keys, mutation, variables={"uscc": USCC_WAREHOUSE}, roles=("contributor",)
    )

    payload = body["data"]["reportRisk"]
    assert payload["errors"] == []
    assert payload["risk"]["category"] == "fire"
    assert payload["risk"]["enterprise"] == {
        "address": None,
        "dangerousChemicalEntries": [
            {"casNumber": "71-43-2", "quantity": MASKED_QUANTITY, "declaredValue": None}
        ],
    }
    assert len(errors_of(body)) == 2
    assert sorted(forbidden_fields(body)) == [
        "DangerousChemicalEntry.declaredValue",
        "Enterprise.address",
    ]


async def test_each_selection_of_a_withheld_field_has_its_own_error_counting_its_records(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    query = (
        "{ first: dangerousChemicalEntries { edges { node { declaredValue } } }"
        "  again: dangerousChemicalEntries { edges { node { declaredValue } } } }"
    )

    body = await ask(http, keys, query)

    assert len(node_list(body["data"], "first")) == 3
    assert len(node_list(body["data"], "again")) == 3
    # One error per place the field is selected, each pointing at its own selection.
    errors = errors_of(body)
    assert len(errors) == 2
    assert [e["extensions"]["withheldRecords"] for e in errors] == [3, 3]
    assert errors[0]["locations"] != errors[1]["locations"]


async def test_a_field_selected_only_where_no_record_comes_back_raises_no_error(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    entry = await record_id(sessions, "dangerous_chemical_entry", USCC_CHEMICAL)
    query = """
    query($id: ID!) {
      one: dangerousChemicalEntry(id: $id) { casNumber }
      none: dangerousChemicalEntries(filter: {casNumber: "64-17-5"}) {
        edges { node { declaredValue } }
      }
    }"""

    body = await ask(http, keys, query, variables={"id": entry})

    assert body["data"] == {"one": {"casNumber": "71-43-2"}, "none": {"edges": []}}
    assert len(errors_of(body)) == 0


# --- the back-link from a record to its enterprise ------------------------------------------

BACK_LINK = (
    "query($id: ID!) { dangerousChemicalEntry(id: $id) {"
    " casNumber enterprise { uscc name address } } }"
)


@pytest.mark.parametrize(
    ("enterprise_grants", "address", "errors"),
    [
        pytest.param([], None, ["Enterprise.address"], id="no enterprise grant"),
        pytest.param(
            [enterprise_grant({"address": "masked"})], "上海市浦东新区", [], id="address masked"
        ),
        pytest.param(
            [enterprise_grant({"address": "full"})],
            "上海市浦东新区海港大道1500号",
            [],
            id="address in full",
        ),
        pytest.param(
            [enterprise_grant({"address": "full"}, scope={"zones": ["Lingang Chemical Park"]})],
            None,
            ["Enterprise.address"],
            id="address in full, but for another zone",
        ),
        pytest.param(
            [enterprise_grant({"address": "full"}, purposes=["emergency_response"])],
            None,
            ["Enterprise.address"],
            id="address in full, but for another purpose",
        ),
    ],
)
async def test_the_record_to_enterprise_back_link_follows_the_enterprise_grant_rules(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    enterprise_grants: list[dict[str, Any]],
    address: str | None,
    errors: list[str],
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY, *enterprise_grants)
    entry = await record_id(sessions, "dangerous_chemical_entry", USCC_WAREHOUSE)

    body = await ask(http, keys, BACK_LINK, variables={"id": entry})

    assert body["data"]["dangerousChemicalEntry"] == {
        "casNumber": "71-43-2",
        "enterprise": {
            "uscc": USCC_WAREHOUSE,
            "name": "外高桥危化仓储有限公司",
            "address": address,
        },
    }
    assert len(errors_of(body)) == len(errors)
    assert forbidden_fields(body) == errors
    for error in errors_of(body):
        assert error["extensions"]["owners"] == ["market"]
        assert error["extensions"]["withheldRecords"] == 1


# --- masked values ----------------------------------------------------------------------------

ENTRY_MASKS = [
    ("quantity", "quantity", "12000..13000", "12500"),
    ("declared_value", "declaredValue", "100000..200000", "186000"),
    ("entry_date", "entryDate", "2026-03", "2026-03-14"),
    ("storage_location", "storageLocation", "上海市浦东新区", "上海市浦东新区临港危化品仓库3号"),
]
ENTERPRISE_MASKS = [
    ("address", "address", "上海市浦东新区", "上海市浦东新区海港大道1500号"),
    ("legal_representative", "legalRepresentative", "王**", "王建国"),
    ("contact_phone", "contactPhone", "138****5678", "13812345678"),
    ("registered_on", "registeredOn", "2015-03", "2015-03-02"),
    ("status_since", "statusSince", "2017-06", "2017-06-01"),
]


@pytest.mark.parametrize(
    ("field", "graphql_field", "masked", "raw"), [pytest.param(*m, id=m[0]) for m in ENTRY_MASKS]
)
async def test_a_masked_entry_field_shows_its_declared_masking_never_the_raw_value(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    field: str,
    graphql_field: str,
    masked: str,
    raw: str,
) -> None:
    await share(sessions, entry_grant(fields={field: "masked"}))

    body = await ask(http, keys, fill(TOP_LEVEL, graphql_field))

    values = [n[graphql_field] for n in node_list(body["data"], "dangerousChemicalEntries")]
    assert values == [masked] * 3
    assert raw not in json.dumps(body, ensure_ascii=False)
    assert len(errors_of(body)) == 0


async def test_a_masked_declaration_number_keeps_only_its_first_four_and_last_two_characters(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, entry_grant(fields={"declaration_number": "masked"}))
    async with sessions() as session:
        raw = sorted(
            await session.scalars(text("SELECT declaration_number FROM dangerous_chemical_entry"))
        )

    body = await ask(http, keys, fill(TOP_LEVEL, "declarationNumber"))

    values = [n["declarationNumber"] for n in node_list(body["data"], "dangerousChemicalEntries")]
    assert sorted(values) == sorted(r[:4] + "*" * (len(r) - 6) + r[-2:] for r in raw)
    assert not set(raw) & set(values)
    assert len(errors_of(body)) == 0


@pytest.mark.parametrize(
    ("field", "graphql_field", "masked", "raw"),
    [pytest.param(*m, id=m[0]) for m in ENTERPRISE_MASKS],
)
async def test_a_masked_enterprise_field_shows_its_declared_masking_never_the_raw_value(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    field: str,
    graphql_field: str,
    masked: str,
    raw: str,
) -> None:
    await share(sessions, enterprise_grant({field: "masked"}))

    body = await ask(http, keys, fill("{ enterprises { edges { node { <> } } } }", graphql_field))

    values = [n[graphql_field] for n in node_list(body["data"], "enterprises")]
    assert values == [masked] * 3
    assert raw not in json.dumps(body, ensure_ascii=False)
    assert len(errors_of(body)) == 0


async def test_the_highest_level_any_matching_grant_gives_wins(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(
        sessions,
        entry_grant(fields={"quantity": "masked"}),
        entry_grant(fields={"quantity": "full"}, scope={"zones": ["Waigaoqiao Bonded Zone"]}),
    )

    body = await ask(http, keys, fill(TOP_LEVEL, "quantity enterprise { uscc }"))

    shown = {
        n["enterprise"]["uscc"]: n["quantity"]
        for n in node_list(body["data"], "dangerousChemicalEntries")
    }
    assert shown == {
        USCC_CHEMICAL: MASKED_QUANTITY,
        USCC_PAINTS: MASKED_QUANTITY,
        USCC_WAREHOUSE: RAW_QUANTITY,
    }
    assert len(errors_of(body)) == 0


# --- filters ----------------------------------------------------------------------------------

ENTRIES_BY = "{ dangerousChemicalEntries(filter: <>) { edges { node { casNumber } } } }"
ENTERPRISES_BY = "{ enterprises(filter: <>) { edges { node { uscc } } } }"


@pytest.mark.parametrize(
    ("grants", "query", "root", "expected"),
    [
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            fill(ENTRIES_BY, '{casNumber: "71-43-2"}'),
            "dangerousChemicalEntries",
            3,
            id="CAS number granted in full: matching",
        ),
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            fill(ENTRIES_BY, '{casNumber: "64-17-5"}'),
            "dangerousChemicalEntries",
            0,
            id="CAS number granted in full: not matching",
        ),
        pytest.param(
            [entry_grant(fields={"cas_number": "full", "hazard_class": "full"})],
            fill(ENTRIES_BY, '{hazardClass: "3"}'),
            "dangerousChemicalEntries",
            3,
            id="hazard class granted in full",
        ),
        pytest.param(
            [enterprise_grant({"zone": "full"})],
            fill(ENTERPRISES_BY, '{zone: "Lingang Chemical Park"}'),
            "enterprises",
            2,
            id="zone granted in full for every enterprise",
        ),
        pytest.param(
            [],
            fill(ENTERPRISES_BY, '{nameContains: "涂料"}'),
            "enterprises",
            1,
            id="name, visible to every department",
        ),
    ],
)
async def test_filtering_on_a_field_granted_in_full_narrows_the_list(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    grants: list[dict[str, Any]],
    query: str,
    root: str,
    expected: int,
) -> None:
    if grants:
        await share(sessions, *grants)

    body = await ask(http, keys, query)

    assert len(node_list(body["data"], root)) == expected
    assert len(errors_of(body)) == 0


@pytest.mark.parametrize(
    ("grants", "query", "root", "element"),
    [
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            fill(ENTRIES_BY, '{hazardClass: "3"}'),
            "dangerousChemicalEntries",
            "dangerous_chemical_entry.hazard_class",
            id="hazard class not granted",
        ),
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            fill(ENTRIES_BY, '{casNumber: "71-43-2", hazardClass: "3"}'),
            "dangerousChemicalEntries",
            "dangerous_chemical_entry.hazard_class",
            id="hazard class not granted, beside a granted CAS number",
        ),
        pytest.param(
            [entry_grant(fields={"cas_number": "full", "entry_date": "masked"})],
            fill(ENTRIES_BY, '{entryDateFrom: "2026-03-14"}'),
            "dangerousChemicalEntries",
            "dangerous_chemical_entry.entry_date",
            id="entry date granted masked",
        ),
        pytest.param(
            [
                CHEMICALS_TO_EMERGENCY,
                entry_grant(
                    fields={"hazard_class": "full"}, scope={"zones": ["Waigaoqiao Bonded Zone"]}
                ),
            ],
            fill(ENTRIES_BY, '{hazardClass: "3"}'),
            "dangerousChemicalEntries",
            "dangerous_chemical_entry.hazard_class",
            id="hazard class granted in full for some reachable records only",
        ),
        pytest.param(
            [],
            fill(ENTERPRISES_BY, '{zone: "Lingang Chemical Park"}'),
            "enterprises",
            "enterprise.zone",
            id="zone without any enterprise grant",
        ),
        pytest.param(
            [enterprise_grant({"zone": "full"}, scope={"zones": ["Waigaoqiao Bonded Zone"]})],
            fill(ENTERPRISES_BY, '{zone: "Lingang Chemical Park"}'),
            "enterprises",
            "enterprise.zone",
            id="zone granted in full for one zone only",
        ),
        pytest.param(
            [enterprise_grant({"address": "masked"})],
            fill(ENTERPRISES_BY, "{status: IN_OPERATION}"),
            "enterprises",
            "enterprise.status",
            id="lifecycle status not granted",
        ),
    ],
)
async def test_filtering_on_a_field_not_granted_in_full_is_refused(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    grants: list[dict[str, Any]],
    query: str,
    root: str,
    element: str,
) -> None:
    if grants:
        await share(sessions, *grants)

    body = await ask(http, keys, query)

    assert (body["data"] or {}).get(root) is None
    assert len(errors_of(body)) == 1
    error = errors_of(body)[0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["elements"] == [element]
    assert USCC_CHEMICAL not in json.dumps(body)


# --- a record the caller may not see is like one that does not exist ---------------------

ENTRY_BY_ID = "query($id: ID!) { dangerousChemicalEntry(id: $id) { id casNumber declaredValue } }"
RISK_BY_ID = "query($id: ID!) { risk(id: $id) { id category level } }"


@pytest.mark.parametrize(
    ("grants", "query", "table", "uscc", "department", "purpose"),
    [
        pytest.param(
            [entry_grant(scope={"zones": ["Waigaoqiao Bonded Zone"]})],
            ENTRY_BY_ID,
            "dangerous_chemical_entry",
            USCC_CHEMICAL,
            "emergency",
            "joint_inspection",
            id="entry outside the grant's scope",
        ),
        pytest.param(
            [],
            ENTRY_BY_ID,
            "dangerous_chemical_entry",
            USCC_CHEMICAL,
            "emergency",
            "joint_inspection",
            id="entry without any grant",
        ),
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            ENTRY_BY_ID,
            "dangerous_chemical_entry",
            USCC_CHEMICAL,
            "emergency",
            "emergency_response",
            id="entry granted for another purpose",
        ),
        pytest.param(
            [CHEMICALS_TO_EMERGENCY],
            ENTRY_BY_ID,
            "dangerous_chemical_entry",
            USCC_CHEMICAL,
            "park",
            "joint_inspection",
            id="entry granted to another department",
        ),
        pytest.param(
            [],
            RISK_BY_ID,
            "risk",
            USCC_PAINTS,
            "customs",
            "joint_inspection",
            id="risk without any grant",
        ),
        pytest.param(
            [
                {
                    "provider": "emergency",
                    "consumers": ["customs"],
                    "record_type": "credit_rating",
                    "fields": {"grade": "full"},
                }
            ],
            RISK_BY_ID,
            "risk",
            USCC_PAINTS,
            "customs",
            "joint_inspection",
            id="risk, with a grant of another record type",
        ),
    ],
)
async def test_a_record_the_caller_may_not_see_answers_exactly_like_a_missing_one(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    grants: list[dict[str, Any]],
    query: str,
    table: str,
    uscc: str,
    department: str,
    purpose: str,
) -> None:
    if grants:
        await share(sessions, *grants)
    hidden = await record_id(sessions, table, uscc)

    seen = await ask(
        http, keys, query, variables={"id": hidden}, department=department, purpose=purpose
    )
    missing = await ask(
        http, keys, query, variables={"id": MISSING_ID}, department=department, purpose=purpose
    )

    root = "risk" if table == "risk" else "dangerousChemicalEntry"
    assert seen == {"data": {root: None}}
    assert seen == missing
    assert len(errors_of(seen)) == 0


# --- no suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "unwritten"),
    [
        pytest.param(fill(TOP_LEVEL, "casNumbr"), {}, "casNumber", id="misspelled field"),
        pytest.param(
            '{ dangerousChemicalEntries(fitler: {casNumber: "71-43-2"}) { edges { node { id } } } }',  # noqa: E501
            {},
            "filter",
            id="misspelled argument",
        ),
        pytest.param(
            fill(ENTRIES_BY, '{casNumbr: "71-43-2"}'), {}, "casNumber", id="misspelled input field"
        ),
        pytest.param(
            "{ risks(filter: {level: MAJR}) { edges { node { id } } } }",
            {},
            "MAJOR",
            id="bad enum value in a literal",
        ),
        pytest.param(
            "query($level: RiskLevel) { risks(filter: {level: $level}) { edges { node { id } } } }",
            {"level": "MAJR"},
            "MAJOR",
            id="bad enum value in a variable",
        ),
        pytest.param(
            "query($level: RiskLevl) { risks(filter: {level: $level}) { edges { node { id } } } }",
            {},
            "RiskLevel",
            id="misspelled type of a variable",
        ),
        pytest.param(
            fill(TOP_LEVEL, "...F") + " fragment F on DangerousChemicalEntri { casNumber }",
            {},
            "DangerousChemicalEntry",
            id="misspelled type of a fragment",
        ),
        pytest.param(
            "{ dangerousChemicalEntries }",
            {},
            "{ ... }",
            id="object field without subfields",
        ),
    ],
)
async def test_no_error_suggests_a_name(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    query: str,
    variables: dict[str, Any],
    unwritten: str,
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)

    body = await ask(http, keys, query, variables=variables)

    assert body.get("data") is None
    assert len(errors_of(body)) == 1
    message = errors_of(body)[0]["message"]
    assert "did you mean" not in message.lower()
    # Nor any other wording that names what the caller did not write.
    assert not re.search(rf"(?<![\w$]){re.escape(unwritten)}(?!\w)", message)


# --- expiry, revocation, scope, purpose -------------------------------------------------------

NESTED_AND_TOP_LEVEL = """
{
  dangerousChemicalEntries { edges { node { casNumber quantity enterprise { uscc } } } }
  enterprises { edges { node { uscc dangerousChemicalEntries { casNumber } } } }
}"""


def visible_entries(body: dict[str, Any]) -> tuple[list[str], dict[str, int]]:
    """(USCCs of top-level entries, entries per enterprise in the nested lists)."""
    data = body["data"]
    top = [n["enterprise"]["uscc"] for n in node_list(data, "dangerousChemicalEntries")]
    nested = {n["uscc"]: len(n["dangerousChemicalEntries"]) for n in node_list(data, "enterprises")}
    return top, nested


NONE_VISIBLE: tuple[list[str], dict[str, int]] = ([], dict.fromkeys(ALL_USCCS, 0))
ALL_VISIBLE: tuple[list[str], dict[str, int]] = (ALL_USCCS, dict.fromkeys(ALL_USCCS, 1))


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


async def test_an_agreement_that_expired_a_second_ago_grants_nothing(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    ended = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await share(sessions, CHEMICALS_TO_EMERGENCY, valid_until=utc(ended))

    body = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    assert visible_entries(body) == NONE_VISIBLE
    assert len(errors_of(body)) == 0


async def test_a_grant_stops_applying_the_moment_its_agreement_expires(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    ends = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.5)
    await share(sessions, CHEMICALS_TO_EMERGENCY, valid_until=utc(ends))
    before = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    await asyncio.sleep((ends - dt.datetime.now(dt.UTC)).total_seconds() + 0.05)
    after = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    assert visible_entries(before) == ALL_VISIBLE
    assert visible_entries(after) == NONE_VISIBLE
    assert len(errors_of(before)) == 0
    assert len(errors_of(after)) == 0


@pytest.mark.parametrize("status", ["revoked", "suspended", "expired"])
async def test_an_agreement_revoked_in_the_database_grants_nothing_from_the_next_request(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions, status: str
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    before = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE agreement_version SET status = :s"), {"s": status})
        await session.execute(text("UPDATE policy_epoch SET epoch = epoch + 1"))
    after = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    assert visible_entries(before) == ALL_VISIBLE
    assert visible_entries(after) == NONE_VISIBLE
    assert len(errors_of(after)) == 0


@pytest.mark.parametrize(
    ("scope", "usccs"),
    [
        pytest.param({"zones": ["Waigaoqiao Bonded Zone"]}, [USCC_WAREHOUSE], id="one zone"),
        pytest.param(
            {"zones": ["Lingang Chemical Park"]}, [USCC_CHEMICAL, USCC_PAINTS], id="other zone"
        ),
        pytest.param({"industries": ["warehousing"]}, [USCC_WAREHOUSE], id="one industry"),
        pytest.param({"enterprises": [USCC_PAINTS]}, [USCC_PAINTS], id="one listed enterprise"),
        pytest.param(
            {"zones": ["Lingang Chemical Park"], "industries": ["coatings and dyes"]},
            [USCC_PAINTS],
            id="zone and industry together",
        ),
        pytest.param({"zones": ["Jinqiao Export Processing Zone"]}, [], id="zone with nobody"),
    ],
)
async def test_a_scoped_grant_shows_only_the_records_of_enterprises_in_its_scope(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    scope: dict[str, list[str]],
    usccs: list[str],
) -> None:
    await share(sessions, entry_grant(scope=scope))

    body = await ask(http, keys, NESTED_AND_TOP_LEVEL)

    assert visible_entries(body) == (usccs, {u: int(u in usccs) for u in ALL_USCCS})
    assert len(errors_of(body)) == 0


async def test_an_enterprise_grant_scoped_to_a_zone_withholds_the_field_elsewhere(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(
        sessions, enterprise_grant({"address": "full"}, scope={"zones": ["Waigaoqiao Bonded Zone"]})
    )

    body = await ask(http, keys, "{ enterprises { edges { node { uscc address } } } }")

    assert node_list(body["data"], "enterprises") == [
        {"uscc": USCC_CHEMICAL, "address": None},
        {"uscc": USCC_PAINTS, "address": None},
        {"uscc": USCC_WAREHOUSE, "address": "上海市浦东新区海港大道1500号"},
    ]
    assert len(errors_of(body)) == 1
    error = errors_of(body)[0]
    assert error["extensions"]["field"] == "Enterprise.address"
    assert error["extensions"]["owners"] == ["market"]
    assert error["extensions"]["withheldRecords"] == 2


@pytest.mark.parametrize("purpose", ["emergency_response", "information_exchange", "audit_review"])
async def test_a_grant_for_another_purpose_shows_nothing_by_any_path(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions, purpose: str
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)
    entry = await record_id(sessions, "dangerous_chemical_entry", USCC_CHEMICAL)

    listed = await ask(http, keys, NESTED_AND_TOP_LEVEL, purpose=purpose)
    looked_up = await ask(http, keys, ENTRY_BY_ID, variables={"id": entry}, purpose=purpose)

    assert visible_entries(listed) == NONE_VISIBLE
    assert looked_up == {"data": {"dangerousChemicalEntry": None}}
    assert len(errors_of(listed)) == 0


async def test_without_a_purpose_other_departments_records_are_denied_saying_how_to_state_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)

    body = await ask(http, keys, NESTED_AND_TOP_LEVEL, purpose=None)

    assert visible_entries(body) == NONE_VISIBLE
    assert len(errors_of(body)) == 1
    error = errors_of(body)[0]
    assert error["extensions"]["code"] == "PURPOSE_REQUIRED"
    assert error["extensions"]["purposes"] == ["joint_inspection"]
    assert "Liaison-Purpose" in error["message"]


# --- own data and public keys -----------------------------------------------------------------

OWN_QUERIES = {
    "customs": (
        "{ dangerousChemicalEntries { edges { node { owner chemicalName casNumber unNumber"
        " hazardClass packingGroup quantity unit port entryDate storageLocation declaredValue"
        " } } } creditRatings { edges { node { owner scheme ruleSet grade effectiveOn } } } }"
    ),
    "emergency": (
        "{ risks { edges { node { owner category description level foundOn"
        " rectificationDeadline status supervisingDepartment } } } }"
    ),
    "market": (
        "{ enterprises { edges { node { owner zone address legalRepresentative contactPhone"
        " industry registeredOn status statusSince } } } }"
    ),
}
OWN_EXPECTED: dict[str, dict[str, dict[str, Any]]] = {
    "customs": {
        "dangerousChemicalEntries": {
            "owner": "customs",
            "chemicalName": "Benzene",
            "casNumber": "71-43-2",
            "unNumber": "UN1114",
            "hazardClass": "3",
            "packingGroup": "II",
            "quantity": "12500",
            "unit": "kg",
            "port": "Yangshan",
            "entryDate": "2026-03-14",
            "storageLocation": "上海市浦东新区临港危化品仓库3号",
            "declaredValue": "186000",
        },
        "creditRatings": {
            "owner": "customs",
            "scheme": "customs_enterprise_credit",
            "ruleSet": "customs-2026",
            "grade": "certified",
            "effectiveOn": "2026-02-01",
        },
    },
    "emergency": {
        "risks": {
            "owner": "emergency",
            "category": "storage",
            "description": "Incompatible chemicals stored together in warehouse 3",
            "level": "MAJOR",
            "foundOn": "2026-05-10",
            "rectificationDeadline": "2026-06-10",
            "status": "RECTIFYING",
            "supervisingDepartment": "emergency",
        }
    },
    "market": {
        "enterprises": {
            "owner": "market",
            "address": "上海市浦东新区海港大道1500号",
            "legalRepresentative": "王建国",
            "contactPhone": "13812345678",
            "registeredOn": "2015-03-02",
            "status": "IN_OPERATION",
            "statusSince": "2017-06-01",
        }
    },
}


@pytest.mark.parametrize("department", sorted(OWN_QUERIES))
async def test_a_department_reading_its_own_records_sees_them_in_full_without_errors(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions, department: str
) -> None:
    # Grants elsewhere in force must change nothing about a department's own records.
    await share(
        sessions,
        CHEMICALS_TO_EMERGENCY,
        enterprise_grant({"address": "masked"}, consumers=["park"]),
    )

    body = await ask(http, keys, OWN_QUERIES[department], department=department)

    for root, expected in OWN_EXPECTED[department].items():
        nodes = node_list(body["data"], root)
        assert len(nodes) == 3
        for node in nodes:
            assert {k: node[k] for k in expected} == expected
            assert None not in node.values()
    assert len(errors_of(body)) == 0


PUBLIC_KEYS = """
query($uscc: String!) {
  enterprises { edges { node { id uscc name } } }
  enterprise(uscc: $uscc) { uscc name }
}"""
NAMES = {
    USCC_CHEMICAL: "临港化工有限公司",
    USCC_PAINTS: "浦东涂料有限公司",
    USCC_WAREHOUSE: "外高桥危化仓储有限公司",
}


@pytest.mark.parametrize("purpose", ["joint_inspection", None])
@pytest.mark.parametrize("department", sorted(DEPARTMENTS))
async def test_every_department_sees_the_uscc_and_name_of_every_enterprise(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    department: str,
    purpose: str | None,
) -> None:
    await share(sessions, CHEMICALS_TO_EMERGENCY)

    body = await ask(
        http,
        keys,
        PUBLIC_KEYS,
        department=department,
        purpose=purpose,
        variables={"uscc": USCC_WAREHOUSE},
    )

    nodes = node_list(body["data"], "enterprises")
    assert {n["uscc"]: n["name"] for n in nodes} == NAMES
    assert [n["id"] for n in nodes] == [str(world.enterprises[u]) for u in ALL_USCCS]
    assert body["data"]["enterprise"] == {"uscc": USCC_WAREHOUSE, "name": NAMES[USCC_WAREHOUSE]}
    assert len(errors_of(body)) == 0
