"""A certificate's life through HTTP: issued VALID, suspended, resumed, revoked, EXPIRED
once its validity passes; each step an event with its reason and legal basis; a step out
of order refused on ``kind`` with nothing written."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from certificate_support import (
    LEGAL_BASIS,
    TODAY,
    Sessions,
    counts,
    issue,
    post,
    record,
    set_valid_until,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World


async def test_an_issued_certificate_is_valid_with_its_issue_event(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    certificate = await issue(http, keys, USCC_CHEMICAL)

    assert certificate["owner"] == "emergency"
    assert certificate["enterprise"] == {"uscc": USCC_CHEMICAL}
    assert (certificate["kind"], certificate["status"]) == ("SAFETY_PRODUCTION_LICENCE", "VALID")
    assert certificate["validFrom"] == (TODAY - dt.timedelta(days=400)).isoformat()
    [event] = certificate["events"]
    assert {k: event[k] for k in ("kind", "occurredOn", "reasonCategory", "legalBasis")} == {
        "kind": "ISSUED",
        "occurredOn": certificate["validFrom"],
        "reasonCategory": "ROUTINE",
        "legalBasis": LEGAL_BASIS,
    }


async def test_suspended_resumed_then_revoked_each_step_an_event(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    certificate_id = (await issue(http, keys, USCC_CHEMICAL))["id"]
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()

    audited = await record(
        http,
        keys,
        certificate_id,
        "SUPERVISION_AUDIT",
        occurredOn=yesterday,
        reasonCategory="ROUTINE",
        reason="Annual supervision audit: conforming",
    )
    suspended = await record(
        http,
        keys,
        certificate_id,
        "SUSPENDED",
        occurredOn=yesterday,
        reasonCategory="QUALITY_VIOLATION",
        reason="Gas detection out of order",
    )
    resumed = await record(
        http,
        keys,
        certificate_id,
        "RESUMED",
        reasonCategory="RECTIFIED",
        reason="Gas detection repaired and tested",
    )
    revoked = await record(http, keys, certificate_id, "REVOKED", reasonCategory="HOLDER_REQUEST")

    statuses = [p["certificate"]["status"] for p in (audited, suspended, resumed, revoked)]
    assert statuses == ["VALID", "SUSPENDED", "VALID", "REVOKED"]
    assert all(p["errors"] == [] for p in (audited, suspended, resumed, revoked))
    events = revoked["certificate"]["events"]
    assert [e["kind"] for e in events] == [
        "ISSUED",
        "SUPERVISION_AUDIT",
        "SUSPENDED",
        "RESUMED",
        "REVOKED",
    ]
    assert events[2]["reason"] == "Gas detection out of order"
    assert events[3]["reasonCategory"] == "RECTIFIED"


async def test_a_certificate_past_its_validity_reads_expired_unless_revoked_first(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    lapsed = (await issue(http, keys, USCC_CHEMICAL))["id"]
    revoked = (await issue(http, keys, USCC_CHEMICAL, number="(沪)WH安许证字[2024]0118"))["id"]
    await record(http, keys, revoked, "REVOKED", reasonCategory="HOLDER_REQUEST")
    for certificate_id in (lapsed, revoked):
        await set_valid_until(sessions, certificate_id, TODAY - dt.timedelta(days=1))

    body = await post(
        http,
        keys,
        "{ certificates { edges { node { id status } } }"
        " expired: certificates(filter: {status: EXPIRED}) { edges { node { id } } } }",
        department="emergency",
        roles=("reader",),
    )

    assert body["data"] == {
        "certificates": {
            "edges": [
                {"node": {"id": lapsed, "status": "EXPIRED"}},
                {"node": {"id": revoked, "status": "REVOKED"}},
            ]
        },
        "expired": {"edges": [{"node": {"id": lapsed}}]},
    }


async def _valid(http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions) -> str:
    return str((await issue(http, keys, USCC_CHEMICAL))["id"])


async def _revoked(http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions) -> str:
    certificate_id = await _valid(http, keys, sessions)
    await record(http, keys, certificate_id, "REVOKED", reasonCategory="HOLDER_REQUEST")
    return certificate_id


async def _suspended_then_expired(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions
) -> str:
    certificate_id = await _valid(http, keys, sessions)
    await record(http, keys, certificate_id, "SUSPENDED", reasonCategory="QUALITY_VIOLATION")
    await set_valid_until(sessions, certificate_id, TODAY - dt.timedelta(days=1))
    return certificate_id


@pytest.mark.parametrize(
    ("case", "arrange", "kind", "message"),
    [
        ("resume a valid one", _valid, "RESUMED", "the certificate is valid: it cannot be resumed"),
        (
            "revoke a revoked one",
            _revoked,
            "REVOKED",
            "the certificate is revoked: it cannot be revoked",
        ),
        (
            "revoke a suspended-then-expired one",
            _suspended_then_expired,
            "REVOKED",
            "the certificate is expired: it cannot be revoked",
        ),
        (
            "audit a revoked one",
            _revoked,
            "SUPERVISION_AUDIT",
            "the certificate is revoked: it cannot be audited",
        ),
        ("issue twice", _valid, "ISSUED", "a certificate is issued once, by issueCertificate"),
    ],
)
async def test_a_step_out_of_order_is_refused_on_kind_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    arrange: object,
    kind: str,
    message: str,
) -> None:
    certificate_id = await arrange(http, keys, sessions)  # type: ignore[operator]
    before = await counts(sessions)

    payload = await record(http, keys, certificate_id, kind)

    assert payload["certificate"] is None
    assert payload["errors"] == [{"field": "kind", "rule": "transition", "message": message}]
    assert await counts(sessions) == before
