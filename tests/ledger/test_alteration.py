"""Alterations of registered details: the department that registered the enterprise
changes its name, address, legal representative or scope of business; the ledger keeps
each old and new value with the date and the basis, and the enterprise's details change
in the same transaction. The USCC is never alterable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ledger_support import (
    ALTER,
    UNKNOWN_USCC,
    Sessions,
    alteration_input,
    counts,
    new_request_id,
    post,
    write,
)

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, grant, token


async def test_the_registry_alters_details_and_the_ledger_keeps_old_and_new(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    label = new_request_id("alter")

    payload = await write(
        http,
        keys,
        ALTER,
        "alterEnterprise",
        alteration_input(USCC_CHEMICAL, businessScope="Production of basic chemicals"),
        department="market",
        request_id=label,
    )
    history = await post(
        http,
        keys,
        f'{{ enterprise(uscc: "{USCC_CHEMICAL}") {{ alterations {{ id alteredOn oldAddress '
        "newAddress oldName newName } } }",
        department="market",
        roles=("reader",),
    )

    alteration = payload["alteration"]
    assert {k: v for k, v in alteration.items() if k != "id"} == {
        "owner": "market",
        "alteredOn": "2026-11-20",
        "basis": "SHPD-BG-2026-0311",
        "oldName": None,
        "newName": None,
        "oldAddress": "上海市浦东新区海港大道1500号",
        "newAddress": "上海市浦东新区层林路88号",
        "oldLegalRepresentative": "王建国",
        "newLegalRepresentative": "李海燕",
        "oldBusinessScope": None,
        "newBusinessScope": "Production of basic chemicals",
    }
    assert payload["enterprise"] == {
        "uscc": USCC_CHEMICAL,
        "name": "临港化工有限公司",
        "address": "上海市浦东新区层林路88号",
        "legalRepresentative": "李海燕",
        "businessScope": "Production of basic chemicals",
    }
    assert history["data"]["enterprise"]["alterations"] == [
        {
            "id": alteration["id"],
            "alteredOn": "2026-11-20",
            "oldAddress": "上海市浦东新区海港大道1500号",
            "newAddress": "上海市浦东新区层林路88号",
            "oldName": None,
            "newName": None,
        }
    ]
    [event] = await events_for(sessions, label)
    assert event.entry.operation_type == "mutation"
    assert event.entry.principal_department == "market"
    written = [(k.provider, k.record_type, k.record_ids) for k in event.entry.disclosed]
    assert ("market", "enterprise_alteration", alteration["id"]) in written


async def test_a_second_alteration_records_the_value_the_first_one_left(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    await write(
        http,
        keys,
        ALTER,
        "alterEnterprise",
        {"uscc": USCC_CHEMICAL, "alteredOn": "2026-01-05", "basis": "B-1", "name": "临港化学"},
        department="market",
    )

    second = await write(
        http,
        keys,
        ALTER,
        "alterEnterprise",
        {"uscc": USCC_CHEMICAL, "alteredOn": "2026-02-05", "basis": "B-2", "name": "临港新材料"},
        department="market",
    )

    assert (second["alteration"]["oldName"], second["alteration"]["newName"]) == (
        "临港化学",
        "临港新材料",
    )
    assert second["enterprise"]["name"] == "临港新材料"


@pytest.mark.parametrize(
    ("case", "department", "given", "expected"),
    [
        (
            "an unknown enterprise",
            "market",
            alteration_input(UNKNOWN_USCC),
            [("uscc", "exists")],
        ),
        (
            "no change: the values it has",
            "market",
            alteration_input(
                USCC_CHEMICAL, address="上海市浦东新区海港大道1500号", legalRepresentative="王建国"
            ),
            [("input", "no_change")],
        ),
        (
            "no change: nothing given",
            "market",
            {"uscc": USCC_CHEMICAL, "alteredOn": "2026-11-20", "basis": "B-1"},
            [("input", "no_change")],
        ),
        (
            "a department that did not register it",
            "park",
            alteration_input(USCC_CHEMICAL),
            [("uscc", "owner")],
        ),
        (
            "a blank name and basis",
            "market",
            alteration_input(USCC_CHEMICAL, name=" ", basis=""),
            [("name", "required"), ("basis", "required")],
        ),
        (
            "before the registration",
            "market",
            alteration_input(USCC_CHEMICAL, alteredOn="2015-03-01"),
            [("alteredOn", "order")],
        ),
        (
            "in the future",
            "market",
            alteration_input(USCC_CHEMICAL, alteredOn="2999-01-01"),
            [("alteredOn", "order")],
        ),
    ],
)
async def test_an_invalid_alteration_is_refused_and_nothing_changes(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    department: str,
    given: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await counts(sessions)

    body = await post(http, keys, ALTER, department=department, variables={"input": given})
    after = await post(
        http,
        keys,
        f'{{ enterprise(uscc: "{USCC_CHEMICAL}") {{ name address legalRepresentative }} }}',
        department="market",
        roles=("reader",),
    )

    payload = body["data"]["alterEnterprise"]
    assert (payload["alteration"], payload["enterprise"]) == (None, None)
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected, case
    assert await counts(sessions) == before
    assert after["data"]["enterprise"] == {
        "name": "临港化工有限公司",
        "address": "上海市浦东新区海港大道1500号",
        "legalRepresentative": "王建国",
    }


async def test_the_uscc_is_not_an_alterable_detail(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        ALTER,
        department="market",
        variables={"input": {**alteration_input(USCC_CHEMICAL), "newUscc": "91310115MA1K4ABD2C"}},
    )

    assert body.get("data") is None
    assert len(body["errors"]) == 1
    assert await counts(sessions) == before


async def test_the_history_is_governed_field_by_field_with_the_enterprises_masks(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await write(
        http, keys, ALTER, "alterEnterprise", alteration_input(USCC_CHEMICAL), department="market"
    )
    async with sessions() as session, session.begin():
        await grant(
            session,
            {
                "provider": "market",
                "consumers": ["customs"],
                "record_type": "enterprise_alteration",
                "purposes": ["joint_inspection"],
                "fields": {"altered_on": "full", "new_address": "masked", "new_name": "full"},
            },
        )
    query = (
        f'{{ enterprise(uscc: "{USCC_CHEMICAL}") {{ alterations {{ alteredOn newName '
        "newAddress oldLegalRepresentative } } }"
    )

    customs = await post(
        http, keys, query, department="customs", roles=("reader",), purpose="joint_inspection"
    )
    park = await post(
        http, keys, query, department="park", roles=("reader",), purpose="joint_inspection"
    )

    assert customs["data"]["enterprise"]["alterations"] == [
        {
            "alteredOn": "2026-11-20",
            "newName": None,
            "newAddress": "上海市浦东新区",
            "oldLegalRepresentative": None,
        }
    ]
    [withheld] = customs["errors"]
    assert withheld["extensions"]["code"] == "FORBIDDEN"
    assert withheld["extensions"]["element"] == "enterprise_alteration.old_legal_representative"
    assert park["data"]["enterprise"]["alterations"] == []


async def test_an_alteration_is_not_made_when_its_audit_event_cannot_be_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    async with audit_storage_unwritable(sessions):
        response = await http.post(
            "/graphql",
            json={"query": ALTER, "variables": {"input": alteration_input(USCC_CHEMICAL)}},
            headers={"Authorization": f"Bearer {token(keys, 'market', 'contributor')}"},
        )
    after = await post(
        http,
        keys,
        f'{{ enterprise(uscc: "{USCC_CHEMICAL}") {{ address legalRepresentative }} }}',
        department="market",
        roles=("reader",),
    )

    body = response.json()
    assert response.status_code == 503
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert await counts(sessions) == before
    assert after["data"]["enterprise"] == {
        "address": "上海市浦东新区海港大道1500号",
        "legalRepresentative": "王建国",
    }
