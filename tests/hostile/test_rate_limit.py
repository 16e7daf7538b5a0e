"""A per-principal budget of resolved records (LIAISON_RATE_RECORDS_PER_MINUTE): charged
after each operation with the records the gate handed out; once it is spent, the next
request is refused with 429 and Retry-After until it has refilled."""

from __future__ import annotations

import httpx
import pytest
from hostile_support import ME, assert_json_refusal, bearer, client_with

from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.permissions.principal import Principal, Role
from liaison.schema.rate_limit import RecordBudget
from world import World

ENTERPRISES = "{ enterprises { edges { node { uscc } } } }"  # the world holds 3


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def principal(subject: str = "analyst-1", department: str = "customs") -> Principal:
    return Principal(
        subject=subject,
        department=department,
        roles=frozenset({Role.READER}),
        client_id="tests",
        token_id="jti-1",
        expires_at=0,
    )


def test_a_full_bucket_admits_and_a_spent_one_says_how_long_to_wait() -> None:
    clock = Clock()
    budget = RecordBudget(60, clock=clock)  # one record a second, 60 banked

    assert budget.retry_after(principal()) == 0
    budget.charge(principal(), 61)  # charged after the fact: one record into debt

    assert budget.retry_after(principal()) == 2  # at 1 s the bucket is at 0: still empty
    clock.now += 0.5
    assert budget.retry_after(principal()) == 1  # half a record of debt left
    clock.now += 0.6
    assert budget.retry_after(principal()) == 0


def test_the_bucket_never_banks_more_than_a_minute() -> None:
    clock = Clock()
    budget = RecordBudget(60, clock=clock)
    clock.now += 3600

    budget.charge(principal(), 60)

    assert budget.retry_after(principal()) == 1


def test_principals_are_counted_apart_by_subject_and_department() -> None:
    budget = RecordBudget(10, clock=Clock())

    budget.charge(principal("a", "customs"), 100)

    assert budget.retry_after(principal("a", "customs")) > 0
    assert budget.retry_after(principal("b", "customs")) == 0
    assert budget.retry_after(principal("a", "emergency")) == 0


def test_zero_records_a_minute_means_no_limit() -> None:
    budget = RecordBudget(0, clock=Clock())

    budget.charge(principal(), 10**9)

    assert budget.retry_after(principal()) == 0


def test_refilled_principals_are_forgotten_when_the_table_grows() -> None:
    from liaison.schema import rate_limit

    clock = Clock()
    budget = RecordBudget(60, clock=clock)
    for n in range(rate_limit._PRUNE_AT):
        budget.charge(principal(f"p{n}"), 1)
    clock.now += 2  # every bucket has refilled

    budget.charge(principal("newcomer"), 1)

    assert len(budget._buckets) == 1


async def test_the_request_after_the_budget_is_spent_is_429_and_not_executed(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, rate_records_per_minute=5) as client:
        first = await client.post("/graphql", json={"query": ENTERPRISES}, headers=bearer(keys))
        second = await client.post("/graphql", json={"query": ENTERPRISES}, headers=bearer(keys))
        third = await client.post("/graphql", json={"query": ME}, headers=bearer(keys))
        someone_else = await client.post(
            "/graphql", json={"query": ENTERPRISES}, headers=bearer(keys, "emergency")
        )

    assert len(first.json()["data"]["enterprises"]["edges"]) == 3  # 5 - 3 = 2 left
    assert len(second.json()["data"]["enterprises"]["edges"]) == 3  # 2 - 3: spent
    error = assert_json_refusal(third, 429, "RATE_LIMITED", message="5 records a minute")
    retry_after = int(third.headers["retry-after"])
    assert 1 <= retry_after <= 12  # one record of debt at 5 a minute
    assert error["extensions"]["retryAfterSeconds"] == retry_after
    assert someone_else.status_code == 200


async def test_operations_that_resolve_no_records_are_not_charged(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, rate_records_per_minute=1) as client:
        responses = [
            await client.post("/graphql", json={"query": ME}, headers=bearer(keys))
            for _ in range(20)
        ]

    assert {r.status_code for r in responses} == {200}


@pytest.mark.parametrize("records_per_minute", [0, 60_000])
async def test_a_generous_or_disabled_budget_lets_requests_through(
    settings: Settings, keys: SigningKeys, world: World, records_per_minute: int
) -> None:
    async with client_with(settings, rate_records_per_minute=records_per_minute) as client:
        responses = [
            await client.post("/graphql", json={"query": ENTERPRISES}, headers=bearer(keys))
            for _ in range(5)
        ]

    assert {r.status_code for r in responses} == {200}


async def test_a_refused_request_still_carries_the_request_id(
    settings: Settings, keys: SigningKeys, world: World
) -> None:
    async with client_with(settings, rate_records_per_minute=1) as client:
        await client.post("/graphql", json={"query": ENTERPRISES}, headers=bearer(keys))
        refused: httpx.Response = await client.post(
            "/graphql", json={"query": ME}, headers={**bearer(keys), "X-Request-ID": "rate-1"}
        )

    assert refused.status_code == 429
    assert refused.headers["x-request-id"] == "rate-1"
    assert refused.json()["errors"][0]["extensions"]["requestId"] == "rate-1"
