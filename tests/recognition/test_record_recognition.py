"""Recording a recognition through HTTP with real tokens: customs recognises the emergency
bureau's standardization level; the bureau (the recognised department, a party) sees the
recognition whole; a department with no part and no grant sees nothing; the audit names
the result read to check it and the party disclosure."""

from __future__ import annotations

import uuid

import httpx
from recognition_support import (
    PURPOSE,
    RECOGNITION_FIELDS,
    RECORD,
    TODAY,
    Sessions,
    add_certificate,
    counts,
    customs_rating_id,
    post,
    recognised,
    recognition_input,
    record,
    share_results,
)
from sqlalchemy import select

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db import models
from liaison.db.recognition import lapse_for_result
from liaison.db.recognition_models import ResultType
from world import USCC_CHEMICAL, World, grant

LIST = "query { recognitions { edges { node { " + RECOGNITION_FIELDS + " } } } }"


async def test_customs_recognises_the_bureaus_standardization_level(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await share_results(sessions)
    enterprise = world.enterprises[USCC_CHEMICAL]
    certificate = await add_certificate(sessions, enterprise, world.departments["emergency"])
    before = await counts(sessions)

    found = await recognised(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )

    assert found["owner"] == "customs"
    assert found["recognised"] == "emergency"
    assert found["enterprise"] == {"uscc": USCC_CHEMICAL}
    assert found["resultType"] == "STANDARDIZATION_CERTIFICATE"
    assert found["standardizationCertificate"] == {"id": certificate, "level": 2}
    assert found["creditRating"] is None
    assert found["facilitation"] == "REDUCED_INSPECTION_FREQUENCY"
    assert found["status"] == "ACTIVE"
    assert found["inForce"] is True
    assert found["recordedOn"] == TODAY.isoformat()
    assert (found["lapsedOn"], found["lapseReason"]) == (None, None)
    after = await counts(sessions)
    assert after["recognition"] == before["recognition"] + 1
    assert after["record_change"] == before["record_change"] + 1


async def test_the_recognised_department_sees_it_whole_and_nobody_else_sees_it(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await share_results(sessions)
    rating = await customs_rating_id(sessions, world.enterprises[USCC_CHEMICAL])
    made = await recognised(
        http,
        keys,
        "emergency",
        recognition_input(
            USCC_CHEMICAL, "CREDIT_RATING", rating, facilitation="PROCEDURE_SIMPLIFICATION"
        ),
    )
    label = f"party-{uuid.uuid4().hex[:8]}"

    as_customs = await post(
        http, keys, LIST, department="customs", roles=("reader",), request_id=label
    )
    as_market = await post(http, keys, LIST, department="market", roles=("reader",))

    assert "errors" not in as_customs, as_customs
    [edge] = as_customs["data"]["recognitions"]["edges"]
    node = edge["node"]
    assert node["id"] == made["id"]
    assert (node["owner"], node["recognised"]) == ("emergency", "customs")
    assert node["legalBasis"] == made["legalBasis"]
    assert node["creditRating"] == {"id": rating, "grade": "certified"}
    assert as_market["data"]["recognitions"]["edges"] == []
    assert "errors" not in as_market
    [event] = await events_for(sessions, label)
    reasons = {d.field: d.reason for d in event.entry.disclosures if d.record_type == "recognition"}
    assert reasons["legal_basis"] == "party: department whose result is recognised"
    assert reasons["facilitation"] == "party: department whose result is recognised"


async def test_the_result_read_to_check_a_recognition_is_audited_with_the_mutation(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await share_results(sessions)
    certificate = await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"]
    )
    label = f"record-{uuid.uuid4().hex[:8]}"

    payload = await record(
        http,
        keys,
        "customs",
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
        request_id=label,
    )

    assert payload["errors"] == []
    [event] = await events_for(sessions, label)
    assert event.entry.operation_type == "mutation"
    assert event.entry.purpose == PURPOSE
    read = {
        (d.provider, d.record_type, d.field, d.level)
        for d in event.entry.disclosures
        if d.record_type == "standardization_certificate"
    }
    assert ("emergency", "standardization_certificate", "level", "full") in read
    assert ("emergency", "standardization_certificate", "valid_until", "full") in read
    written = {(k.provider, k.record_type): k.ids() for k in event.entry.disclosed}
    assert written[("customs", "recognition")] == [int(payload["recognition"]["id"])]


ENTRIES_TO_EMERGENCY = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "dangerous_chemical_entry",
    "purposes": [PURPOSE],
    "fields": {"chemical_name": "full", "entry_date": "full"},
}


async def test_the_bureau_recognises_customs_identification_of_a_dangerous_chemical(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, ENTRIES_TO_EMERGENCY)
        entry = await session.scalar(
            select(models.DangerousChemicalEntry.id).where(
                models.DangerousChemicalEntry.enterprise_id == world.enterprises[USCC_CHEMICAL]
            )
        )
    query = RECORD.replace(
        "creditRating { id grade }", "dangerousChemicalEntry { chemicalName casNumber }"
    )

    body = await post(
        http,
        keys,
        query,
        department="emergency",
        variables={
            "input": recognition_input(
                USCC_CHEMICAL, "DANGEROUS_CHEMICAL_ENTRY", str(entry), facilitation="FAST_RELEASE"
            )
        },
    )

    payload = body["data"]["recordRecognition"]
    assert payload["errors"] == []
    assert payload["recognition"]["resultType"] == "DANGEROUS_CHEMICAL_ENTRY"
    assert payload["recognition"]["recognised"] == "customs"
    # The entry shows what customs shares, and its CAS number (not granted) is withheld.
    assert payload["recognition"]["dangerousChemicalEntry"] == {
        "chemicalName": "Benzene",
        "casNumber": None,
    }
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["field"] == "DangerousChemicalEntry.casNumber"
    async with sessions() as session, session.begin():
        lapsed = await lapse_for_result(
            session,
            ResultType.DANGEROUS_CHEMICAL_ENTRY,
            int(str(entry)),
            "the identification was withdrawn",
        )
    assert lapsed == [int(payload["recognition"]["id"])]
