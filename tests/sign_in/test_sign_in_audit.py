"""Every sign-in, refresh and log-out, allowed or refused, is in the hash-chained audit
trail, where the department's auditor finds it through accessLog; and a sign-in whose
event cannot be written does not happen."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_events import events_for
from faults import audit_storage_unwritable
from liaison.api.keys import SigningKeys
from liaison.db import people
from liaison.db.audit import verify_chain
from liaison.db.people_models import AuthorizationCode
from sign_in.conftest import PASSWORDS
from sign_in.sign_in_support import (
    CONSOLE,
    exchange,
    me,
    redirected_to,
    refresh,
    revoke,
    start,
    submit,
)
from world import token

Sessions = async_sessionmaker[AsyncSession]
Folks = dict[str, people.Person]
OFFICER = "customs.officer"
NOTHING = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

ACCESS_LOG = """
query($consumer: String) {
  accessLog(filter: {consumer: $consumer}, first: 50) {
    edges { node { requestId subject department clientId operationType operationName outcome
                   documentSha256 purpose disclosures { field } records { recordId } } } } }"""


async def access_log(
    http: httpx.AsyncClient, bearer: str, consumer: str | None = None
) -> list[dict[str, Any]]:
    response = await http.post(
        "/graphql",
        json={"query": ACCESS_LOG, "variables": {"consumer": consumer}},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["accessLog"]["edges"]]


def as_request(http: httpx.AsyncClient, request_id: str) -> httpx.AsyncClient:
    http.headers["X-Request-ID"] = request_id
    return http


async def test_every_step_of_a_sign_in_is_audited_for_the_departments_auditor(
    phttp: httpx.AsyncClient, folks: Folks, keys: SigningKeys
) -> None:
    started = await start(phttp)
    await submit(as_request(phttp, "audit-wrong"), started, OFFICER, "not-the-password-1")
    code = redirected_to(
        await submit(as_request(phttp, "audit-password"), started, OFFICER, PASSWORDS[OFFICER])
    )["code"]
    first = (await exchange(as_request(phttp, "audit-code"), code, started.verifier)).json()
    second = (await refresh(as_request(phttp, "audit-refresh"), first["refresh_token"])).json()
    await exchange(as_request(phttp, "audit-code-again"), code, started.verifier)
    await refresh(as_request(phttp, "audit-refresh-revoked"), second["refresh_token"])
    await revoke(as_request(phttp, "audit-logout"), second["refresh_token"])

    seen = await access_log(phttp, token(keys, "customs", "auditor"), consumer="customs")

    mine = [e for e in seen if e["requestId"].startswith("audit-")]
    assert [(e["requestId"], e["operationName"], e["outcome"]) for e in mine] == [
        ("audit-logout", "logout", "OK"),
        ("audit-refresh-revoked", "refresh.revoked", "DENIED"),
        ("audit-code-again", "code.reused", "DENIED"),
        ("audit-refresh", "refresh", "OK"),
        ("audit-code", "code", "OK"),
        ("audit-password", "password", "OK"),
        ("audit-wrong", "password.wrong_password", "DENIED"),
    ]
    for event in mine:
        assert event["subject"] == "user:customs.officer"
        assert event["department"] == "customs"
        assert event["clientId"] == CONSOLE
        assert event["operationType"] == "login"
        assert event["documentSha256"] == NOTHING
        assert event["purpose"] is None
        assert event["disclosures"] == []
        assert event["records"] == []


async def test_a_reused_refresh_token_an_expired_one_and_an_unknown_user_are_audited(
    phttp: httpx.AsyncClient, folks: Folks, keys: SigningKeys, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(await submit(phttp, started, OFFICER, PASSWORDS[OFFICER]))["code"]
    first = (await exchange(phttp, code, started.verifier)).json()
    await refresh(phttp, first["refresh_token"])
    await refresh(as_request(phttp, "audit-reused"), first["refresh_token"])
    await submit(as_request(phttp, "audit-nobody"), await start(phttp), "no.such.person", "x" * 12)

    reused = await events_for(sessions, "audit-reused")
    nobody = await events_for(sessions, "audit-nobody")

    assert [(e.entry.operation_name, e.entry.outcome) for e in reused] == [
        ("refresh.reused", "denied")
    ]
    assert [
        (e.entry.principal_subject, e.entry.principal_department, e.entry.operation_name)
        for e in nobody
    ] == [("user:no.such.person", "unknown", "password.unknown_user")]
    # Another department's auditor does not see the customs officer's sign-ins; the
    # platform admin sees the unknown name's.
    emergency = await access_log(phttp, token(keys, "emergency", "auditor"))
    admin = await access_log(phttp, token(keys, "market", "admin"), consumer="unknown")
    assert not [e for e in emergency if e["subject"] == "user:customs.officer"]
    assert [e["requestId"] for e in admin if e["requestId"] == "audit-nobody"] == ["audit-nobody"]


async def test_no_password_ever_reaches_the_audit_trail(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    await submit(as_request(phttp, "audit-secret-1"), started, OFFICER, "typed-by-mistake-42")
    await submit(as_request(phttp, "audit-secret-2"), started, OFFICER, PASSWORDS[OFFICER])

    events = [
        *await events_for(sessions, "audit-secret-1"),
        *await events_for(sessions, "audit-secret-2"),
    ]

    assert len(events) == 2
    for event in events:
        text = str(event.as_json())
        assert "typed-by-mistake-42" not in text
        assert PASSWORDS[OFFICER] not in text


async def test_a_sign_in_whose_event_cannot_be_written_issues_no_code(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)

    async with audit_storage_unwritable(sessions):
        response = await submit(
            as_request(phttp, "audit-unwritable"), started, OFFICER, PASSWORDS[OFFICER]
        )

    assert response.status_code == 503
    assert "location" not in response.headers
    assert "Sign-in is unavailable right now; nothing was changed." in response.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuthorizationCode)) == 0
        assert await verify_chain(session) is None
    assert await events_for(sessions, "audit-unwritable") == []


async def test_an_exchange_whose_event_cannot_be_written_issues_no_token(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(await submit(phttp, started, OFFICER, PASSWORDS[OFFICER]))["code"]

    async with audit_storage_unwritable(sessions):
        refused = await exchange(phttp, code, started.verifier)

    assert refused.status_code == 503
    assert refused.json() == {
        "error": "temporarily_unavailable",
        "error_description": "the sign-in could not be recorded in the audit trail; "
        "nothing was issued",
    }
    # Nothing was used up: the console may try again once the audit can be written.
    assert (await exchange(phttp, code, started.verifier)).status_code == 200


async def test_a_log_out_whose_event_cannot_be_written_still_revokes(
    phttp: httpx.AsyncClient, folks: Folks, sessions: Sessions
) -> None:
    started = await start(phttp)
    code = redirected_to(await submit(phttp, started, OFFICER, PASSWORDS[OFFICER]))["code"]
    tokens = (await exchange(phttp, code, started.verifier)).json()

    async with audit_storage_unwritable(sessions):
        response = await revoke(phttp, tokens["refresh_token"])

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert (await me(phttp, tokens["access_token"])).status_code == 401
