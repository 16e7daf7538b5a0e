"""A referral is overdue once its feedback deadline has passed and it is still awaiting the
receiver's feedback (sent or accepted): derived when the statement runs, never stored, and
listed to both sides."""

from __future__ import annotations

import datetime as dt

import httpx
from referral_support import Sessions, post, send, step
from sqlalchemy import BindParameter, update
from sqlalchemy.sql.visitors import iterate

from liaison.api.keys import SigningKeys
from liaison.db.referral_models import Referral
from liaison.db.referral_tables import REFERRAL_TABLES
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World

OVERDUE = (
    "{ sent: referralsSent(filter: {overdue: true}) { edges { node { id overdue status } } } "
    "received: referralsReceived(filter: {overdue: true}) { edges { node { id overdue } } } "
    "onTime: referralsReceived(filter: {overdue: false}) { edges { node { id overdue } } } }"
)


async def backdate(sessions: Sessions, referral_id: str, days: int) -> None:
    """Sent ``days`` + 30 days ago with 30 days for feedback: ``days`` past its deadline."""
    deadline = dt.date.today() - dt.timedelta(days=days)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Referral)
            .where(Referral.id == int(referral_id))
            .values(sent_on=deadline - dt.timedelta(days=30), feedback_deadline=deadline)
        )


async def test_a_referral_past_its_deadline_is_overdue_to_both_sides_until_handled(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    late = (await send(http, keys, USCC_CHEMICAL))["id"]
    accepted_late = (await send(http, keys, USCC_PAINTS))["id"]
    due_today = (await send(http, keys, USCC_WAREHOUSE))["id"]
    await backdate(sessions, late, 1)
    await backdate(sessions, accepted_late, 10)
    await backdate(sessions, due_today, 0)
    await step(http, keys, "accept", accepted_late, department="emergency")

    market = await post(http, keys, OVERDUE, department="market", roles=("reader",))
    emergency = await post(http, keys, OVERDUE, department="emergency", roles=("reader",))

    assert [e["node"] for e in market["data"]["sent"]["edges"]] == [
        {"id": late, "overdue": True, "status": "SENT"},
        {"id": accepted_late, "overdue": True, "status": "ACCEPTED"},
    ]
    assert [e["node"] for e in emergency["data"]["received"]["edges"]] == [
        {"id": late, "overdue": True},
        {"id": accepted_late, "overdue": True},
    ]
    assert [e["node"] for e in emergency["data"]["onTime"]["edges"]] == [
        {"id": due_today, "overdue": False}
    ]


async def test_a_handled_or_returned_referral_is_never_overdue(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    handled = (await send(http, keys, USCC_CHEMICAL))["id"]
    returned = (await send(http, keys, USCC_PAINTS))["id"]
    for referral_id in (handled, returned):
        await backdate(sessions, referral_id, 5)
    await step(http, keys, "accept", handled, department="emergency")
    await step(http, keys, "handle", handled, department="emergency")
    await step(http, keys, "return", returned, department="emergency")

    body = await post(http, keys, OVERDUE, department="market", roles=("reader",))

    assert body["data"]["sent"] == {"edges": []}


def test_the_overdue_column_takes_today_when_its_statement_runs() -> None:
    # Statements are built once and kept (db.records): a date frozen into one would make
    # every referral's overdue wrong from the next midnight on.
    overdue = REFERRAL_TABLES["referral"].columns["overdue"]

    taken = [
        node.callable
        for node in iterate(overdue)
        if isinstance(node, BindParameter) and node.callable is not None
    ]

    assert taken == [dt.date.today]
