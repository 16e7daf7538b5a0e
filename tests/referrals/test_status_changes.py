"""A referral moves SENT -> ACCEPTED -> HANDLED, or SENT -> RETURNED (by the receiver) or
WITHDRAWN (by the sender); only the right side moves it, only in order, and each move is
audited and noted in the change feed. A refused move writes nothing."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from referral_support import (
    Sessions,
    counts,
    move_query,
    new_request_id,
    post,
    send,
    step,
)
from sqlalchemy import select

from audit_events import events_for
from liaison.api.keys import SigningKeys
from liaison.db.models import RecordChange
from world import USCC_CHEMICAL, World


async def test_the_receiver_returns_a_referral_with_its_reason(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]

    returned = await step(http, keys, "return", referral_id, department="emergency")

    assert returned["errors"] == []
    assert returned["referral"] == {
        "id": referral_id,
        "status": "RETURNED",
        "acceptedOn": None,
        "returnedOn": dt.date.today().isoformat(),
        "returnReason": "Not within our functions",
        "handledOn": None,
        "feedback": None,
        "penaltyDecision": None,
        "withdrawnOn": None,
    }


async def test_the_sender_withdraws_a_referral_not_yet_answered(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]

    withdrawn = await step(http, keys, "withdraw", referral_id, department="market")

    assert withdrawn["errors"] == []
    assert withdrawn["referral"]["status"] == "WITHDRAWN"
    assert withdrawn["referral"]["withdrawnOn"] == dt.date.today().isoformat()


@pytest.mark.parametrize(
    ("moves", "refused", "message"),
    [
        pytest.param([], "handle", "a sent referral cannot become handled", id="handle-unaccepted"),
        pytest.param(
            ["accept"], "accept", "an accepted referral cannot become accepted", id="twice"
        ),
        pytest.param(
            ["accept"], "return", "an accepted referral cannot become returned", id="late"
        ),
        pytest.param(
            ["accept"], "withdraw", "an accepted referral cannot become withdrawn", id="gone"
        ),
        pytest.param(["return"], "accept", "a returned referral cannot become accepted", id="dead"),
        pytest.param(
            ["accept", "handle"], "handle", "a handled referral cannot become handled", id="done"
        ),
        pytest.param(["withdraw"], "accept", "a withdrawn referral cannot become accepted", id="w"),
    ],
)
async def test_a_status_change_out_of_order_is_refused_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    moves: list[str],
    refused: str,
    message: str,
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    for done in moves:
        side = "market" if done == "withdraw" else "emergency"
        assert (await step(http, keys, done, referral_id, department=side))["errors"] == []
    before = await counts(sessions)

    side = "market" if refused == "withdraw" else "emergency"
    payload = await step(http, keys, refused, referral_id, department=side)

    assert payload == {
        "referral": None,
        "errors": [{"field": "id", "rule": "transition", "message": message}],
    }
    assert await counts(sessions) == before


@pytest.mark.parametrize(
    ("move", "department", "message"),
    [
        pytest.param("accept", "market", "no referral made to your department has this id", id="s"),
        pytest.param(
            "handle", "customs", "no referral made to your department has this id", id="c"
        ),
        pytest.param(
            "withdraw", "emergency", "no referral sent by your department has this id", id="r"
        ),
    ],
)
async def test_only_the_right_side_moves_a_referral_and_others_are_answered_like_none(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    move: str,
    department: str,
    message: str,
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    payload = await step(http, keys, move, referral_id, department=department)
    missing = await step(http, keys, move, "2147483647", department=department)

    expected = {"referral": None, "errors": [{"field": "id", "rule": "exists", "message": message}]}
    assert payload == expected
    assert missing == expected
    assert await counts(sessions) == before


async def test_returning_without_a_reason_is_refused_on_reason(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        'mutation($id: ID!) { returnReferral(input: {id: $id, reason: "  "}) '
        "{ referral { id } errors { field rule message } } }",
        department="emergency",
        variables={"id": referral_id},
    )

    assert body["data"]["returnReferral"] == {
        "referral": None,
        "errors": [{"field": "reason", "rule": "required", "message": "reason must not be empty"}],
    }
    assert await counts(sessions) == before


async def test_only_a_contributor_of_the_receiver_answers_a_referral(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    referral_id = (await send(http, keys, USCC_CHEMICAL))["id"]

    body = await post(
        http,
        keys,
        move_query("accept"),
        department="emergency",
        roles=("reader",),
        variables={"id": referral_id},
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_each_change_is_audited_as_a_mutation_and_noted_in_the_change_feed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    labels = {name: new_request_id(name) for name in ("send", "accept", "handle")}
    referral = await send(http, keys, USCC_CHEMICAL, request_id=labels["send"])
    referral_id = referral["id"]
    await step(
        http, keys, "accept", referral_id, department="emergency", request_id=labels["accept"]
    )
    await step(
        http, keys, "handle", referral_id, department="emergency", request_id=labels["handle"]
    )

    [sent] = await events_for(sessions, labels["send"])
    [accepted] = await events_for(sessions, labels["accept"])
    [handled] = await events_for(sessions, labels["handle"])
    assert sent.entry.principal_department == "market"
    assert sent.entry.operation_type == "mutation"
    # What a mutation returns of its own department is listed as written (the enterprise too,
    # the registry being market's).
    assert [(k.provider, k.record_type, k.record_ids) for k in sent.entry.disclosed] == [
        ("market", "enterprise", str(world.enterprises[USCC_CHEMICAL])),
        ("market", "referral", referral_id),
        ("market", "referral_attachment", referral["attachments"][0]["id"]),
    ]
    for event in (accepted, handled):
        assert event.entry.principal_department == "emergency"
        assert event.entry.operation_type == "mutation"
        assert event.entry.outcome == "ok"
        assert [(k.provider, k.record_type, k.record_ids) for k in event.entry.disclosed] == [
            ("market", "referral", referral_id)
        ]
        reasons = {d.field: (d.level, d.reason) for d in event.entry.disclosures}
        assert reasons["status"] == ("full", "party: receiver of referral")
        assert reasons["id"] == ("full", "visible with its record")
        assert all(d.agreement_code is None for d in event.entry.disclosures)
    async with sessions() as session:
        feed = (
            await session.execute(
                select(RecordChange.record_type, RecordChange.record_id)
                .where(RecordChange.record_type == "referral")
                .order_by(RecordChange.seq)
            )
        ).all()
    assert [(t, str(i)) for t, i in feed][-3:] == [("referral", referral_id)] * 3
