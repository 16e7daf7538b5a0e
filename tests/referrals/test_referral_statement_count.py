"""No N+1 in a page of referrals: their attachments with their content, the records they
refer to, the reports they carry and their enterprises cost the same statements for 2
referrals as for 8."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from referral_support import Sessions, add_market_rating, attachment, post, send
from sqlalchemy import event

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World

PAGE = """
query($first: Int!) {
  referralsReceived(first: $first) { edges { node {
    id status enterprise { uscc }
    attachments { name sha256 contentBase64 }
    referredCreditRatings { grade }
    referredRisks { category }
    report { id }
  } } }
}"""


@contextmanager
def statements_of(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)


async def test_a_page_of_referrals_with_their_evidence_costs_the_same_statements_at_2_and_8(
    app: Any, http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    rating = await add_market_rating(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["market"]
    )
    for n in range(8):
        files = [attachment(f"evidence {n}.{k}".encode(), name=f"e{n}-{k}.txt") for k in (1, 2)]
        await send(
            http,
            keys,
            USCC_CHEMICAL,
            attachments=files,
            referredRecords=[{"recordType": "CREDIT_RATING", "id": rating}],
        )
    counts = {}
    for size in (2, 8):
        with statements_of(app) as statements:
            body = await post(
                http,
                keys,
                PAGE,
                department="emergency",
                roles=("reader",),
                variables={"first": size},
            )
        edges = body["data"]["referralsReceived"]["edges"]
        assert len(edges) == size
        assert all(len(e["node"]["attachments"]) == 2 for e in edges)
        assert all(a["contentBase64"] for e in edges for a in e["node"]["attachments"])
        counts[size] = len(statements)

    assert counts[2] == counts[8]
