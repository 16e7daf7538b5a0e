"""What an operation leaves in the audit trail: one event naming what was actually
returned of which department's data, under which agreement, and what was refused."""

from __future__ import annotations

import httpx
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.audit import DisclosedRecord, Disclosure
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

ENTRIES_OF_ONE = """
query Entries($uscc: String!) {
  enterprise(uscc: $uscc) {
    uscc
    dangerousChemicalEntries { casNumber quantity declaredValue }
  }
}"""


async def _entry_ids(sessions: Sessions, world: World) -> dict[str, int]:
    """USCC -> id of its one dangerous-chemical entry (the world gives each one)."""
    async with sessions() as session:
        rows = await session.execute(
            select(models.Enterprise.uscc, models.DangerousChemicalEntry.id).join(
                models.Enterprise,
                models.Enterprise.id == models.DangerousChemicalEntry.enterprise_id,
            )
        )
        return {uscc: entry_id for uscc, entry_id in rows}


async def test_an_emergency_read_of_customs_data_leaves_one_event_naming_what_was_disclosed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY, code="emergency-chemicals")
    request_id = new_request_id("emergency-read")

    status, body, echoed = await ask(
        http,
        ENTRIES_OF_ONE,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="emergency_response",
        case="EM-2026-0042",
        request_id=request_id,
    )

    assert status == 200
    assert echoed == request_id
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    events = await events_for(sessions, request_id)
    assert len(events) == 1
    event = events[0].entry
    assert event.principal_department == "emergency"
    assert event.principal_subject == "emergency-tester"
    assert event.principal_client == "tests"
    assert (event.operation_type, event.operation_name) == ("query", "Entries")
    assert (event.purpose, event.case_reference) == ("emergency_response", "EM-2026-0042")
    assert event.outcome == "partial"
    assert len(event.document_sha256) == len(event.variables_sha256) == 64
    by_field = {d.field: d for d in event.disclosures}
    assert set(by_field) == {"cas_number", "quantity", "declared_value"}
    assert by_field["cas_number"] == Disclosure(
        provider="customs",
        record_type="dangerous_chemical_entry",
        field="cas_number",
        level="full",
        record_count=1,
        reason="granted by emergency-chemicals",
        agreement_id=by_field["cas_number"].agreement_id,
        agreement_code="emergency-chemicals",
        agreement_version=1,
    )
    assert by_field["quantity"].level == "masked"
    assert by_field["quantity"].agreement_code == "emergency-chemicals"
    entry_id = (await _entry_ids(sessions, world))[USCC_CHEMICAL]
    assert event.records == (
        DisclosedRecord(
            provider="customs",
            record_type="dangerous_chemical_entry",
            record_id=entry_id,
            enterprise_id=world.enterprises[USCC_CHEMICAL],
            enterprise_uscc=USCC_CHEMICAL,
        ),
    )


async def test_a_forbidden_field_is_recorded_as_a_denial_with_its_reason(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = new_request_id("denial")

    _, body, _ = await ask(
        http,
        ENTRIES_OF_ONE,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
        request_id=request_id,
    )

    assert len(body["errors"]) == 1
    [event] = await events_for(sessions, request_id)
    [denial] = [d for d in event.entry.disclosures if d.level == "none"]
    assert denial.provider == "customs"
    assert (denial.record_type, denial.field) == ("dangerous_chemical_entry", "declared_value")
    assert denial.record_count == 1
    assert denial.agreement_code is None
    assert denial.reason == "no grant from customs covers dangerous_chemical_entry.declared_value"


NESTED_WITH_FRAGMENTS_AND_ALIASES = """
query Nested($uscc: String!) {
  page: enterprises(first: 10) { edges { node { uscc ...Chemicals } } }
  one: enterprise(uscc: $uscc) { imports: dangerousChemicalEntries { cas: casNumber } }
}
fragment Chemicals on Enterprise {
  dangerousChemicalEntries { ... on DangerousChemicalEntry { casNumber } }
}"""


async def test_nested_fields_fragments_and_aliases_are_recorded_as_resolved(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = new_request_id("nested")

    _, body, _ = await ask(
        http,
        NESTED_WITH_FRAGMENTS_AND_ALIASES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_PAINTS},
        purpose="joint_inspection",
        request_id=request_id,
    )

    assert "errors" not in body
    assert len(body["data"]["page"]["edges"]) == 3
    assert body["data"]["one"]["imports"] == [{"cas": "71-43-2"}]
    [event] = await events_for(sessions, request_id)
    assert event.entry.outcome == "ok"
    assert [
        (d.provider, d.record_type, d.field, d.level, d.record_count)
        for d in event.entry.disclosures
    ] == [("customs", "dangerous_chemical_entry", "cas_number", "full", 3)]
    entry_ids = await _entry_ids(sessions, world)
    assert {(r.record_id, r.enterprise_uscc) for r in event.entry.records} == {
        (entry_ids[uscc], uscc) for uscc in (USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE)
    }
    assert len(event.entry.records) == 3


async def test_a_read_of_ones_own_records_leaves_no_event(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    request_id = new_request_id("own")

    _, body, _ = await ask(
        http,
        "{ dangerousChemicalEntries(first: 10) { edges { node { casNumber declaredValue } } } "
        "enterprises(first: 10) { edges { node { uscc name } } } }",
        bearer=token(keys, "customs"),
        request_id=request_id,
    )

    assert "errors" not in body
    assert len(body["data"]["dangerousChemicalEntries"]["edges"]) == 3
    assert await events_for(sessions, request_id) == []


async def test_a_read_refused_for_want_of_a_purpose_is_recorded_as_denied(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    request_id = new_request_id("no-purpose")

    _, body, _ = await ask(
        http,
        ENTRIES_OF_ONE,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        request_id=request_id,
    )

    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    [event] = await events_for(sessions, request_id)
    assert event.entry.outcome == "denied"
    assert event.entry.purpose is None
    assert event.entry.records == ()


DECLARE = """
mutation Declare($input: DeclareDangerousChemicalEntryInput!) {
  declareDangerousChemicalEntry(input: $input) { entry { id } errors { field } }
}"""


async def test_a_mutation_writing_a_shared_record_is_recorded_with_the_record_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    request_id = new_request_id("declare")

    _, body, _ = await ask(
        http,
        DECLARE,
        bearer=token(keys, "customs", "contributor"),
        variables={
            "input": {
                "uscc": USCC_PAINTS,
                "declarationNumber": "220120260009990777",
                "chemicalName": "Toluene",
                "casNumber": "108-88-3",
                "unNumber": "UN1294",
                "hazardClass": "3",
                "quantity": "4200.5",
                "unit": "kg",
                "port": "Waigaoqiao",
                "entryDate": "2026-04-02",
                "storageLocation": "上海市浦东新区外高桥保税区2号库",
                "declaredValue": "35000",
                "consignee": "浦东涂料有限公司",
            }
        },
        request_id=request_id,
    )

    assert "errors" not in body
    written = int(body["data"]["declareDangerousChemicalEntry"]["entry"]["id"])
    [event] = await events_for(sessions, request_id)
    assert (event.entry.operation_type, event.entry.operation_name) == ("mutation", "Declare")
    assert event.entry.outcome == "ok"
    assert event.entry.records == (
        DisclosedRecord(
            "customs",
            "dangerous_chemical_entry",
            written,
            world.enterprises[USCC_PAINTS],
            USCC_PAINTS,
        ),
    )


async def test_a_field_selected_only_where_no_record_came_back_is_neither_disclosed_nor_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)
    entry_id = (await _entry_ids(sessions, world))[USCC_CHEMICAL]
    request_id = new_request_id("two-places")
    query = """
    query($id: ID!) {
      one: dangerousChemicalEntry(id: $id) { casNumber }
      none: dangerousChemicalEntries(filter: {casNumber: "64-17-5"}) {
        edges { node { declaredValue quantity } }
      }
    }"""

    _, body, _ = await ask(
        http,
        query,
        bearer=token(keys, "emergency"),
        variables={"id": str(entry_id)},
        purpose="joint_inspection",
        request_id=request_id,
    )

    assert "errors" not in body
    events = await events_for(sessions, request_id)
    assert len(events) == 1
    # quantity and declaredValue were asked for only where nothing came back.
    assert [(d.field, d.level, d.record_count) for d in events[0].entry.disclosures] == [
        ("cas_number", "full", 1)
    ]
