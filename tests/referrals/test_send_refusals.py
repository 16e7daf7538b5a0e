"""Bad referrals are refused field by field, and nothing is written: no referral, no
attachment, no blob, no reference, no change in the feed."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from referral_support import (
    EVIDENCE,
    SEND,
    Sessions,
    attachment,
    counts,
    credit_rating_id,
    post,
    referral_input,
    risk_id,
)

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.limits import Limits
from world import USCC_CHEMICAL, USCC_PAINTS, World, close_app

UNKNOWN_USCC = "91310115MA1L00010N"  # valid check character, registered nowhere
LIMIT = Limits().max_attachment_bytes
BIG = b"x" * (LIMIT + 1)


async def refused(
    http: httpx.AsyncClient, keys: SigningKeys, sessions: Sessions, given: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """Sends ``given`` as market; returns its input errors after checking nothing moved."""
    before = await counts(sessions)
    body = await post(http, keys, SEND, department="market", variables={"input": given})
    assert "errors" not in body, body
    payload = body["data"]["sendReferral"]
    assert payload["referral"] is None
    assert await counts(sessions) == before
    return [(e["field"], e["rule"], e["message"]) for e in payload["errors"]]


async def test_an_unknown_enterprise_is_refused_on_uscc(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    errors = await refused(http, keys, sessions, referral_input(UNKNOWN_USCC))

    assert errors == [("uscc", "exists", f"no enterprise is registered under {UNKNOWN_USCC}")]


async def test_an_invalid_uscc_is_refused_with_its_check_character(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL[:-1] + "X"))

    assert errors == [
        (
            "uscc",
            "USCC",
            f"USCC '{USCC_CHEMICAL[:-1]}X' is invalid: the check character (position 18) "
            f"should be '{USCC_CHEMICAL[-1]}', not 'X'",
        )
    ]


async def test_a_referral_to_oneself_is_refused_on_receiver(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL, receiver="market"))

    assert errors == [("receiver", "not_oneself", "a referral goes to another department")]


async def test_an_unknown_receiver_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL, receiver="police"))

    assert errors == [("receiver", "exists", "no such department code")]


async def test_an_attachment_over_the_limit_is_refused_before_its_content_is_read(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    # Declared over the limit: refused on its size, whatever the content says.
    over = attachment(b"small", sizeBytes=LIMIT + 1)

    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL, attachments=[over]))

    assert errors == [
        (
            "attachments[0].sizeBytes",
            "limit",
            f"an attachment may have at most {LIMIT} bytes (LIAISON_MAX_ATTACHMENT_BYTES), "
            f"not {LIMIT + 1}",
        )
    ]


async def test_content_longer_than_its_declared_size_is_refused_without_decoding_it(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    sneaky = attachment(BIG, sizeBytes=10)

    errors = await refused(
        http, keys, sessions, referral_input(USCC_CHEMICAL, attachments=[sneaky])
    )

    assert errors == [
        ("attachments[0].contentBase64", "size", "the content is longer than 10 bytes")
    ]


async def test_an_attachment_whose_hash_does_not_match_is_refused_on_sha256(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    wrong = attachment(sha256="0" * 64)

    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL, attachments=[wrong]))

    assert errors == [
        (
            "attachments[0].sha256",
            "sha256",
            "the content's SHA-256 does not match the declared one",
        )
    ]


async def test_an_attachment_whose_size_does_not_match_is_refused_on_size_bytes(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    short = attachment(sizeBytes=len(EVIDENCE) + 1)

    errors = await refused(http, keys, sessions, referral_input(USCC_CHEMICAL, attachments=[short]))

    assert errors == [
        (
            "attachments[0].sizeBytes",
            "size",
            f"the content has {len(EVIDENCE)} bytes, not {len(EVIDENCE) + 1}",
        )
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"contentBase64": "not base64!"},
            ("attachments[1].contentBase64", "base64", "the content is not valid base64"),
            id="base64",
        ),
        pytest.param(
            {"name": "../../etc/passwd"},
            (
                "attachments[1].name",
                "file_name",
                "a file name of 1-200 characters, without / \\ or control characters",
            ),
            id="path-as-name",
        ),
        pytest.param(
            {"mediaType": "photo"},
            (
                "attachments[1].mediaType",
                "media_type",
                "a media type such as image/jpeg or application/pdf",
            ),
            id="media-type",
        ),
        pytest.param(
            {"sha256": "abc"},
            ("attachments[1].sha256", "sha256", "64 hexadecimal digits"),
            id="sha256-form",
        ),
        pytest.param(
            {"sizeBytes": -1},
            ("attachments[1].sizeBytes", "positive", "sizeBytes must not be negative"),
            id="negative-size",
        ),
    ],
)
async def test_each_bad_attachment_field_is_named_with_its_place_in_the_list(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    overrides: dict[str, Any],
    expected: tuple[str, str, str],
) -> None:
    given = referral_input(USCC_CHEMICAL, attachments=[attachment(), attachment(**overrides)])

    assert await refused(http, keys, sessions, given) == [expected]


async def test_more_than_ten_attachments_are_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    given = referral_input(USCC_CHEMICAL, attachments=[attachment()] * 11)

    assert await refused(http, keys, sessions, given) == [
        ("attachments", "count", "at most 10 attachments a referral")
    ]


async def test_another_departments_record_cannot_be_referred_and_is_answered_like_none(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    customs_rating = await credit_rating_id(sessions, USCC_CHEMICAL, "customs")
    emergency_risk = await risk_id(sessions, USCC_CHEMICAL)
    given = referral_input(
        USCC_CHEMICAL,
        referredRecords=[
            {"recordType": "CREDIT_RATING", "id": customs_rating},
            {"recordType": "RISK", "id": emergency_risk},
            {"recordType": "LIFECYCLE_EVENT", "id": "2147483647"},
            {"recordType": "RISK", "id": "not-an-id"},
        ],
    )

    assert await refused(http, keys, sessions, given) == [
        (
            "referredRecords[0].id",
            "exists",
            "no credit rating of your department with this id concerns this enterprise",
        ),
        (
            "referredRecords[1].id",
            "exists",
            "no risk of your department with this id concerns this enterprise",
        ),
        (
            "referredRecords[2].id",
            "exists",
            "no lifecycle event of your department with this id concerns this enterprise",
        ),
        (
            "referredRecords[3].id",
            "exists",
            "no risk of your department with this id concerns this enterprise",
        ),
    ]


async def test_a_record_of_another_enterprise_cannot_be_referred(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    # emergency refers its risk of the paints factory in a referral about the chemical plant.
    paints_risk = await risk_id(sessions, USCC_PAINTS)
    given = referral_input(
        USCC_CHEMICAL,
        receiver="market",
        referredRecords=[{"recordType": "RISK", "id": paints_risk}],
    )
    before = await counts(sessions)

    body = await post(http, keys, SEND, department="emergency", variables={"input": given})

    assert body["data"]["sendReferral"]["errors"] == [
        {
            "field": "referredRecords[0].id",
            "rule": "exists",
            "message": "no risk of your department with this id concerns this enterprise",
        }
    ]
    assert await counts(sessions) == before


async def test_the_same_record_referred_twice_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    risk = await risk_id(sessions, USCC_CHEMICAL)
    given = referral_input(
        USCC_CHEMICAL,
        receiver="market",
        referredRecords=[{"recordType": "RISK", "id": risk}, {"recordType": "RISK", "id": risk}],
    )
    before = await counts(sessions)

    body = await post(http, keys, SEND, department="emergency", variables={"input": given})

    assert body["data"]["sendReferral"]["errors"] == [
        {
            "field": "referredRecords[1].id",
            "rule": "unique",
            "message": "this risk is referred twice",
        }
    ]
    assert await counts(sessions) == before


async def test_every_problem_of_a_referral_is_named_at_once(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    given = referral_input(
        UNKNOWN_USCC,
        receiver="market",
        category=" ",
        description="",
        legalBasis="x" * 1001,
        feedbackWithinDays=0,
        attachments=[attachment(sha256="f" * 64)],
    )

    errors = await refused(http, keys, sessions, given)

    assert [(field, rule) for field, rule, _ in errors] == [
        ("uscc", "exists"),
        ("receiver", "not_oneself"),
        ("category", "required"),
        ("description", "required"),
        ("legalBasis", "length"),
        ("feedbackWithinDays", "range"),
        ("attachments[0].sha256", "sha256"),
    ]


async def test_without_an_enterprise_or_a_report_naming_one_the_uscc_is_required(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    given = referral_input(USCC_CHEMICAL)
    del given["uscc"]

    assert await refused(http, keys, sessions, given) == [
        ("uscc", "required", "name the enterprise the clue concerns (USCC)")
    ]


async def test_an_attachment_of_exactly_the_limit_is_accepted(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    largest = bytes(range(256)) * (LIMIT // 256) + b"\0" * (LIMIT % 256)
    given = referral_input(USCC_CHEMICAL, attachments=[attachment(largest, name="largest.bin")])

    body = await post(
        http,
        keys,
        "mutation($input: SendReferralInput!) { sendReferral(input: $input) { "
        "referral { attachments { sizeBytes contentBase64 } } errors { field } } }",
        department="market",
        variables={"input": given},
    )

    [stored] = body["data"]["sendReferral"]["referral"]["attachments"]
    assert stored["sizeBytes"] == LIMIT
    assert base64.b64decode(stored["contentBase64"]) == largest


@pytest.mark.parametrize("roles", [("reader",), ("steward",), ("auditor",)])
async def test_only_a_contributor_sends_referrals(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    roles: tuple[str, ...],
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        SEND,
        department="market",
        roles=roles,
        variables={"input": referral_input(USCC_CHEMICAL)},
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == "Writing records needs the contributor role."
    assert await counts(sessions) == before


@pytest.fixture
async def small_limit(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A server started with LIAISON_MAX_ATTACHMENT_BYTES=64."""
    limits = dataclasses.replace(settings.limits, max_attachment_bytes=64)
    app = create_app(dataclasses.replace(settings, limits=limits))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        yield client
    await close_app(app)


async def test_the_attachment_limit_is_configuration(
    small_limit: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    errors = await refused(small_limit, keys, sessions, referral_input(USCC_CHEMICAL))

    assert errors == [
        (
            "attachments[0].sizeBytes",
            "limit",
            f"an attachment may have at most 64 bytes (LIAISON_MAX_ATTACHMENT_BYTES), "
            f"not {len(EVIDENCE)}",
        )
    ]
