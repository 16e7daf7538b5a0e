"""Two real server processes on one database: what one of them changes, the other
enforces on its next request — an agreement revoked, a person's sign-in revoked — and on
PostgreSQL they share one record budget."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from liaison.api.keys import SigningKeys
from liaison.api.tokens import mint_access_token
from live_process import LIAISON, Served, environment_for, serving_process
from scratch_databases import on_postgresql, scratch_database
from sign_in.sign_in_support import REDIRECT_URI, sign_in

ENTRIES = "{ dangerousChemicalEntries(first: 20) { edges { node { casNumber } } } }"
BUDGET = 30  # records a minute: two pages of 20 are more than one principal may have


@dataclass(frozen=True)
class Pair:
    first: Served
    second: Served
    keys: SigningKeys


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    data_dir = tmp_path_factory.mktemp("two-processes")

    with _database(data_dir) as url:
        environment = environment_for(data_dir, url)
        environment["LIAISON_CONSOLE_REDIRECT_URIS"] = REDIRECT_URI
        environment["LIAISON_RATE_RECORDS_PER_MINUTE"] = str(BUDGET)
        subprocess.run(
            [str(LIAISON), "demo", "--enterprises", "30"],
            env=environment,
            check=True,
            capture_output=True,
        )
        with (
            serving_process(["liaison", "serve"], environment) as first,
            serving_process(["liaison", "serve"], environment) as second,
        ):
            yield Pair(first, second, SigningKeys.load_or_create(data_dir))


class _database:
    """A scratch database for the module (sync wrapper around scratch_database)."""

    def __init__(self, directory: Path) -> None:
        self._context = scratch_database(directory, "pair", migrated=False)
        self._loop = asyncio.new_event_loop()

    def __enter__(self) -> str:
        return self._loop.run_until_complete(self._context.__aenter__())

    def __exit__(self, *exc: object) -> None:
        self._loop.run_until_complete(self._context.__aexit__(None, None, None))
        self._loop.close()


def bearer(keys: SigningKeys, department: str, *roles: str, subject: str | None = None) -> str:
    return mint_access_token(
        keys,
        issuer="urn:liaison:local",
        audience="urn:liaison:api",
        subject=subject or f"{department}-pair",
        department=department,
        roles=roles or ("reader",),
        client_id="liaison-cli",
        lifetime_seconds=600,
    )


def post(served: Served, query: str, token: str, purpose: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    return httpx.post(f"{served.url}/graphql", json={"query": query}, headers=headers, timeout=30)


def entries_seen(response: httpx.Response) -> int:
    return len(response.json()["data"]["dangerousChemicalEntries"]["edges"])


async def test_a_token_revoked_through_one_process_is_refused_by_the_other(pair: Pair) -> None:
    async with httpx.AsyncClient(base_url=pair.first.url) as first:
        tokens = await sign_in(first, "customs.inspector", "customs.inspector-demo-pass")
        before = post(pair.second, "{ me { subject } }", tokens["access_token"])
        revoked = await first.post(
            "/oauth/revoke", data={"token": tokens["refresh_token"], "client_id": "liaison-console"}
        )
    after = post(pair.second, "{ me { subject } }", tokens["access_token"])

    assert before.json() == {"data": {"me": {"subject": "user:customs.inspector"}}}
    assert revoked.status_code == 200
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_agreement_revoked_through_one_process_stops_sharing_in_the_other(
    pair: Pair,
) -> None:
    reader = bearer(pair.keys, "emergency", subject="emergency-agreement")
    shared = post(pair.second, ENTRIES, reader, "joint_inspection")
    revoke = post(
        pair.first,
        'mutation { revokeAgreement(code: "ftz-joint-supervision-memorandum", version: 1) '
        "{ agreement { status } errors { message } } }",
        bearer(pair.keys, "customs", "steward"),
    )
    after = post(pair.second, ENTRIES, reader, "joint_inspection")

    assert entries_seen(shared) == 20
    assert revoke.json()["data"]["revokeAgreement"]["agreement"]["status"] == "revoked"
    assert entries_seen(after) == 0  # the very next request, in the other process


def test_one_principal_has_one_record_budget_across_the_processes(pair: Pair) -> None:
    # Customs' own entries: no agreement needed, 20 records a page.
    reader = bearer(pair.keys, "customs", subject="customs-budget")
    first = post(pair.first, ENTRIES, reader)
    time.sleep(2.5)  # both processes sync with the shared budget every second
    second = post(pair.second, ENTRIES, reader)  # allowed: 10 were left
    time.sleep(2.5)
    third = post(pair.second, ENTRIES, reader)

    assert (first.status_code, second.status_code) == (200, 200)
    if on_postgresql():
        assert third.status_code == 429  # 30 - 20 - 20 < 0, whichever process counted them
        assert int(third.headers["retry-after"]) >= 1
    else:
        # One process per SQLite database is the design: each process has its own.
        assert third.status_code == 200
