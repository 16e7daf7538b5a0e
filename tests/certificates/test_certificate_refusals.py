"""What is refused, on which field, with nothing written: an unknown or invalid enterprise,
dates out of order, a kind the department does not issue, a number issued already, an
event on another department's certificate, dates of events out of order; and who may not
write at all (FORBIDDEN)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from certificate_support import (
    ISSUE,
    TODAY,
    Sessions,
    counts,
    issue,
    licence_input,
    post,
    record,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World

UNREGISTERED = "91310000MA1FL0001R"  # a valid USCC no enterprise is registered under


def _day(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("case", "department", "overrides", "expected"),
    [
        (
            "unknown enterprise",
            "emergency",
            {"uscc": UNREGISTERED},
            [("uscc", "exists")],
        ),
        ("invalid USCC", "emergency", {"uscc": "91310115MA1K4ABC06"}, [("uscc", "USCC")]),
        (
            "validity out of order",
            "emergency",
            {"validFrom": _day(-10), "validUntil": _day(-20)},
            [("validUntil", "order")],
        ),
        (
            "issued already expired",
            "emergency",
            {"validFrom": _day(-800), "validUntil": _day(-1)},
            [("validUntil", "past")],
        ),
        ("issued in the future", "emergency", {"validFrom": _day(3)}, [("validFrom", "future")]),
        (
            "a kind emergency management does not issue",
            "emergency",
            {"kind": "QUALITY_MANAGEMENT_SYSTEM"},
            [("kind", "issuer")],
        ),
        (
            "a kind market supervision does not issue",
            "market",
            {"kind": "SAFETY_PRODUCTION_LICENCE"},
            [("kind", "issuer")],
        ),
        (
            "empty text",
            "emergency",
            {"number": " ", "issuingBody": "", "scope": "", "legalBasis": " "},
            [
                ("number", "required"),
                ("issuingBody", "required"),
                ("scope", "required"),
                ("legalBasis", "required"),
            ],
        ),
    ],
)
async def test_an_invalid_certificate_is_refused_on_its_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    department: str,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        ISSUE,
        department=department,
        variables={"input": {**licence_input(USCC_CHEMICAL), **overrides}},
    )

    payload = body["data"]["issueCertificate"]
    assert payload["certificate"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before


async def test_the_kinds_a_department_issues_are_named_in_the_refusal(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    body = await post(
        http,
        keys,
        ISSUE,
        department="market",
        variables={"input": licence_input(USCC_CHEMICAL, kind="SAFETY_PRODUCTION_LICENCE")},
    )

    assert body["data"]["issueCertificate"]["errors"] == [
        {
            "field": "kind",
            "rule": "issuer",
            "message": "a market_supervision department issues only: "
            "ENVIRONMENTAL_MANAGEMENT_SYSTEM, QUALITY_MANAGEMENT_SYSTEM",
        }
    ]


async def test_a_number_issued_already_is_refused_on_number(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await issue(http, keys, USCC_CHEMICAL)
    before = await counts(sessions)

    body = await post(
        http, keys, ISSUE, department="emergency", variables={"input": licence_input(USCC_CHEMICAL)}
    )

    assert body["data"]["issueCertificate"]["errors"] == [
        {
            "field": "number",
            "rule": "unique",
            "message": "your department issued this number already",
        }
    ]
    assert await counts(sessions) == before


@pytest.mark.parametrize(
    ("case", "department", "roles"),
    [
        ("a department that issues no certificates", "customs", ("contributor",)),
        ("a reader of the issuer", "emergency", ("reader",)),
    ],
)
async def test_only_a_contributor_of_an_issuing_department_issues(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    department: str,
    roles: tuple[str, ...],
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        ISSUE,
        department=department,
        roles=roles,
        variables={"input": licence_input(USCC_CHEMICAL)},
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await counts(sessions) == before


async def test_another_departments_certificate_is_answered_like_a_missing_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    certificate_id = (await issue(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    theirs = await record(http, keys, certificate_id, "SUSPENDED", department="market")
    missing = await record(http, keys, "999999", "SUSPENDED")

    for payload in (theirs, missing):
        assert payload == {
            "certificate": None,
            "errors": [
                {
                    "field": "id",
                    "rule": "exists",
                    "message": "no certificate of your department has this id",
                }
            ],
        }
    assert await counts(sessions) == before


@pytest.mark.parametrize(
    ("case", "overrides", "expected"),
    [
        ("in the future", {"occurredOn": _day(1)}, [("occurredOn", "future")]),
        ("before the latest event", {"occurredOn": _day(-500)}, [("occurredOn", "order")]),
        ("without a reason", {"reason": " "}, [("reason", "required")]),
        ("without a legal basis", {"legalBasis": ""}, [("legalBasis", "required")]),
    ],
)
async def test_an_invalid_event_is_refused_on_its_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    certificate_id = (await issue(http, keys, USCC_CHEMICAL))["id"]
    before = await counts(sessions)

    payload = await record(http, keys, certificate_id, "SUSPENDED", **overrides)

    assert payload["certificate"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected
    assert await counts(sessions) == before
