"""``auditChain``: the chain's verification status for auditors, answered from a verified
checkpoint onwards, so each check walks only what was appended since the last one."""

from __future__ import annotations

from typing import Any

import httpx
from audit_support import CHEMICALS_TO_EMERGENCY, ask, new_request_id
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_tamper_evidence import append_only_bypassed

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db.audit_checkpoint import verify_incrementally
from liaison.db.audit_models import AuditCheckpoint, AuditHead
from world import USCC_CHEMICAL, World, grant, token

Sessions = async_sessionmaker[AsyncSession]

CHAIN = (
    "{ auditChain { intact complete checkedEvents newlyChecked headSeq headHash brokenAt reason } }"
)
ENTRIES = (
    "query($uscc: String!) { enterprise(uscc: $uscc) { dangerousChemicalEntries { casNumber } } }"
)


async def _audited_read(http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions) -> int:
    request_id = new_request_id("chain")
    await ask(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
        request_id=request_id,
    )
    [event] = await events_for(sessions, request_id)
    return event.seq


async def _chain(http: httpx.AsyncClient, keys: SigningKeys, *roles: str) -> dict[str, Any]:
    status, body, _ = await ask(http, CHAIN, bearer=token(keys, "customs", *roles))
    assert status == 200, body
    return body


async def _head(sessions: Sessions) -> tuple[int, str]:
    async with sessions() as session:
        head = (await session.execute(select(AuditHead.seq, AuditHead.last_hash))).one()
    return int(head.seq), str(head.last_hash)


async def _granted(world: World, sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CHEMICALS_TO_EMERGENCY)


async def test_an_auditor_reads_the_chain_intact_up_to_its_head(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _granted(world, sessions)
    await _audited_read(http, keys, sessions)

    body = await _chain(http, keys, "auditor")

    seq, last_hash = await _head(sessions)
    assert body == {
        "data": {
            "auditChain": {
                "intact": True,
                "complete": True,
                "checkedEvents": seq,
                "newlyChecked": body["data"]["auditChain"]["newlyChecked"],
                "headSeq": seq,
                "headHash": last_hash,
                "brokenAt": None,
                "reason": None,
            }
        }
    }
    assert body["data"]["auditChain"]["newlyChecked"] >= 1


async def test_a_second_check_walks_only_the_events_appended_since_the_first(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _granted(world, sessions)
    await _chain(http, keys, "auditor")
    await _audited_read(http, keys, sessions)
    await _audited_read(http, keys, sessions)

    chain = (await _chain(http, keys, "auditor"))["data"]["auditChain"]

    assert chain["newlyChecked"] == 2
    assert chain["complete"] is True
    async with sessions() as session:
        checkpoint = await session.get_one(AuditCheckpoint, 1)
    assert (checkpoint.seq, checkpoint.hash) == await _head(sessions)


async def test_one_check_walks_at_most_its_step_and_the_next_one_goes_on(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _granted(world, sessions)
    await _chain(http, keys, "auditor")
    first = await _audited_read(http, keys, sessions)
    second = await _audited_read(http, keys, sessions)

    async with sessions() as session, session.begin():
        step = await verify_incrementally(session, most=1)
    async with sessions() as session, session.begin():
        rest = await verify_incrementally(session, most=1)

    assert (step.checked_events, step.newly_checked, step.intact, step.complete) == (
        first,
        1,
        True,
        False,
    )
    assert (rest.checked_events, rest.newly_checked, rest.complete) == (second, 1, True)


async def test_an_event_edited_after_the_checkpoint_is_reported_and_the_checkpoint_waits(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _granted(world, sessions)
    await _chain(http, keys, "auditor")
    seq = await _audited_read(http, keys, sessions)
    edit = text("UPDATE audit_event SET purpose = 'curiosity' WHERE seq = :seq")
    restore = text("UPDATE audit_event SET purpose = 'joint_inspection' WHERE seq = :seq")
    async with sessions() as session, session.begin(), append_only_bypassed(session, "audit_event"):
        await session.execute(edit, {"seq": seq})
    try:
        broken = (await _chain(http, keys, "auditor"))["data"]["auditChain"]
        again = (await _chain(http, keys, "admin"))["data"]["auditChain"]
    finally:
        async with (
            sessions() as session,
            session.begin(),
            append_only_bypassed(session, "audit_event"),
        ):
            await session.execute(restore, {"seq": seq})

    expected = {
        "intact": False,
        "complete": False,
        "checkedEvents": seq - 1,
        "brokenAt": seq,
        "reason": "stored hash does not match the event's contents (altered row)",
    }
    assert {k: broken[k] for k in expected} == expected
    assert {k: again[k] for k in expected} == expected
    assert (await _chain(http, keys, "auditor"))["data"]["auditChain"]["intact"] is True


async def test_an_edit_of_the_event_the_checkpoint_rests_on_is_caught(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    await _granted(world, sessions)
    seq = await _audited_read(http, keys, sessions)
    await _chain(http, keys, "auditor")  # the checkpoint is now that event
    edit = text("UPDATE audit_event SET case_reference = 'CASE-X' WHERE seq = :seq")
    restore = text("UPDATE audit_event SET case_reference = NULL WHERE seq = :seq")
    async with sessions() as session, session.begin(), append_only_bypassed(session, "audit_event"):
        await session.execute(edit, {"seq": seq})
    try:
        chain = (await _chain(http, keys, "auditor"))["data"]["auditChain"]
    finally:
        async with (
            sessions() as session,
            session.begin(),
            append_only_bypassed(session, "audit_event"),
        ):
            await session.execute(restore, {"seq": seq})

    assert (chain["intact"], chain["brokenAt"], chain["reason"]) == (
        False,
        seq,
        "stored hash does not match the event's contents (altered row)",
    )


async def test_anyone_but_an_auditor_or_admin_is_refused_the_chain_status(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    for roles in (("reader",), ("steward",), ("contributor", "reader")):
        body = await _chain(http, keys, *roles)

        assert body["data"] is None
        assert len(body["errors"]) == 1
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["message"] == (
            "The audit chain's status is open to auditors and platform administrators."
        )
