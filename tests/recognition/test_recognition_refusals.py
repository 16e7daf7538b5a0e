"""Every refusal of ``recordRecognition`` names its field and writes nothing (rows counted).
A result that does not exist and one the recogniser may not see are refused with the same
error, so the refusal does not tell them apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from recognition_support import (
    CERTIFICATES_TO_CUSTOMS,
    RECORD,
    TODAY,
    Sessions,
    add_certificate,
    counts,
    customs_rating_id,
    post,
    recognised,
    recognition_input,
    record,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, World, grant

UNREGISTERED = "91310000MA1FL0BB4W"  # a valid USCC no enterprise is registered under
NOT_VISIBLE = {
    "field": "resultId",
    "rule": "visible",
    "message": "no standardization certificate you may see in full has this id",
}


async def _certificate(sessions: Sessions, world: World, **kwargs: Any) -> str:
    return await add_certificate(
        sessions, world.enterprises[USCC_CHEMICAL], world.departments["emergency"], **kwargs
    )


async def _refused(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    sessions: Sessions,
    given: dict[str, Any],
    department: str = "customs",
) -> list[dict[str, str]]:
    before = await counts(sessions)
    payload = await record(http, keys, department, given)
    assert payload["recognition"] is None
    assert await counts(sessions) == before
    errors: list[dict[str, str]] = payload["errors"]
    return errors


async def test_a_result_that_does_not_exist_and_one_withheld_are_refused_alike(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    withheld = await _certificate(sessions, world)  # no grant shares it with customs

    missing_errors = await _refused(
        http,
        keys,
        sessions,
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", str(int(withheld) + 99)),
    )
    withheld_errors = await _refused(
        http,
        keys,
        sessions,
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", withheld),
    )

    assert missing_errors == withheld_errors == [NOT_VISIBLE]


async def test_a_result_shared_without_the_fields_it_is_judged_by_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, {**CERTIFICATES_TO_CUSTOMS, "fields": {"level": "full"}})
    certificate = await _certificate(sessions, world)

    errors = await _refused(
        http,
        keys,
        sessions,
        recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate),
    )

    assert errors == [NOT_VISIBLE]


async def test_a_department_does_not_recognise_its_own_result(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    rating = await customs_rating_id(sessions, world.enterprises[USCC_CHEMICAL])

    errors = await _refused(
        http, keys, sessions, recognition_input(USCC_CHEMICAL, "CREDIT_RATING", rating)
    )

    assert errors == [
        {
            "field": "resultId",
            "rule": "not_own",
            "message": "this credit rating is your own department's result",
        }
    ]


@pytest.mark.parametrize(
    ("uscc", "expected"),
    [
        (
            UNREGISTERED,
            {
                "field": "uscc",
                "rule": "exists",
                "message": f"no enterprise is registered under {UNREGISTERED}",
            },
        ),
        (
            USCC_PAINTS,
            {
                "field": "resultId",
                "rule": "enterprise",
                "message": "this standardization certificate concerns another enterprise",
            },
        ),
    ],
    ids=["unknown enterprise", "result of another enterprise"],
)
async def test_the_enterprise_must_be_known_and_the_results_own(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    sessions: Sessions,
    world: World,
    uscc: str,
    expected: dict[str, str],
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    certificate = await _certificate(sessions, world)

    errors = await _refused(
        http, keys, sessions, recognition_input(uscc, "STANDARDIZATION_CERTIFICATE", certificate)
    )

    assert errors == [expected]


async def test_every_input_error_is_reported_at_once_with_its_field(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    expired = await _certificate(
        sessions, world, issued_on=dt.date(2023, 1, 1), valid_until=TODAY - dt.timedelta(days=1)
    )

    errors = await _refused(
        http,
        keys,
        sessions,
        recognition_input(
            "91310115MA1K4ABC0X",
            "STANDARDIZATION_CERTIFICATE",
            expired,
            validFrom=TODAY.isoformat(),
            validUntil=(TODAY - dt.timedelta(days=1)).isoformat(),
            legalBasis="  ",
        ),
    )

    assert [(e["field"], e["rule"]) for e in errors] == [
        ("uscc", "USCC"),
        ("resultId", "ended"),
        ("validUntil", "order"),
        ("legalBasis", "required"),
    ]
    assert len(errors) == 4


async def test_a_result_already_recognised_for_the_same_facilitation_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, CERTIFICATES_TO_CUSTOMS)
    certificate = await _certificate(sessions, world)
    given = recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate)
    await recognised(http, keys, "customs", given)

    errors = await _refused(http, keys, sessions, given)

    assert errors == [
        {
            "field": "resultId",
            "rule": "unique",
            "message": "your department already recognises it for this",
        }
    ]


async def test_recording_a_recognition_needs_the_contributor_role(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, world: World
) -> None:
    certificate = await _certificate(sessions, world)
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        RECORD,
        department="customs",
        roles=("reader",),
        variables={
            "input": recognition_input(USCC_CHEMICAL, "STANDARDIZATION_CERTIFICATE", certificate)
        },
    )

    assert body["data"] is None or body["data"]["recordRecognition"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await counts(sessions) == before
