"""Calls to the console's demo server outside the browser: a token minted with its own
signing key, GraphQL, and its database (to end a sign-in's lifetime, as time would)."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from liaison.db.engine import create_engine, session_factory
from liaison.db.people_models import RefreshFamily
from live_process import Served


def bearer(served: Served, department: str, *roles: str) -> str:
    keys = SigningKeys.load_or_create(Path(served.environment["LIAISON_DATA_DIR"]))
    return mint_access_token(
        keys,
        issuer="urn:liaison:local",
        audience="urn:liaison:api",
        subject=f"{department}-tests",
        department=department,
        roles=list(roles),
        client_id="liaison-cli",
        lifetime_seconds=600,
    )


def graphql(
    served: Served,
    query: str,
    department: str,
    *roles: str,
    variables: dict[str, Any] | None = None,
    purpose: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {bearer(served, department, *roles)}"}
    if purpose:
        headers["Liaison-Purpose"] = purpose
    response = httpx.post(
        f"{served.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def sign_ins_of(served: Served, operation_prefix: str, department: str) -> list[dict[str, Any]]:
    """The department's people's sign-in events, newest first, as its auditor reads them."""
    answer = graphql(
        served,
        """query($filter: AccessLogFilter) { accessLog(filter: $filter, first: 50) {
             edges { node { subject operationType operationName outcome } } } }""",
        department,
        "auditor",
        variables={"filter": {"consumer": department}},
    )
    return [
        edge["node"]
        for edge in answer["data"]["accessLog"]["edges"]
        if edge["node"]["operationType"] == "login"
        and (edge["node"]["operationName"] or "").startswith(operation_prefix)
    ]


def expire_sign_ins(served: Served) -> None:
    """Every sign-in past its absolute lifetime, as 24 hours would leave it."""

    async def expire() -> None:
        engine = create_engine(served.environment["LIAISON_DATABASE_URL"])
        try:
            async with session_factory(engine)() as session, session.begin():
                past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
                await session.execute(update(RefreshFamily).values(absolute_expires_at=past))
        finally:
            await engine.dispose()

    # Playwright's own event loop runs in this thread: the database is reached from another.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, expire()).result()
