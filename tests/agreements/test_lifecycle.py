"""Stewards manage agreements at runtime; a change applies on the next request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, World, graphql, token

PROPOSE = """
mutation($input: AgreementInput!) {
  proposeAgreement(input: $input) {
    agreement { code version status parties { department signedAt } }
    errors { field rule message }
  }
}"""
SIGN = """
mutation($code: String!, $version: Int!) {
  signAgreement(code: $code, version: $version) {
    agreement { version status }
    errors { field rule message }
  }
}"""
ENTRIES = """
query($uscc: String!) {
  enterprise(uscc: $uscc) { dangerousChemicalEntries { casNumber quantity } }
}"""


def memorandum(**overrides: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "code": "customs-emergency-mou",
        "title": "Customs and emergency bureau memorandum",
        "legalBasis": "FTZ-MOU-2026-01",
        "purposes": ["joint_inspection"],
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2099-01-01T00:00:00Z",
        "parties": ["customs", "emergency"],
        "grants": [
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "recordType": "dangerous_chemical_entry",
                "fields": [{"field": "cas_number", "level": "FULL"}],
            }
        ],
    }
    terms.update(overrides)
    return terms


async def _run(http: httpx.AsyncClient, bearer: str, query: str, **variables: Any) -> Any:
    status, body = await graphql(http, query, bearer=bearer, variables=variables)
    assert status == 200, body
    assert "errors" not in body, body
    return body["data"]


async def _entries_seen_by_emergency(http: httpx.AsyncClient, keys: SigningKeys) -> list[Any]:
    _, body = await graphql(
        http,
        ENTRIES,
        bearer=token(keys, "emergency"),
        variables={"uscc": USCC_CHEMICAL},
        purpose="joint_inspection",
    )
    entries: list[Any] = body["data"]["enterprise"]["dangerousChemicalEntries"]
    return entries


async def test_an_agreement_applies_only_once_every_party_has_signed(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    customs = token(keys, "customs", "steward")
    emergency = token(keys, "emergency", "steward")

    proposed = await _run(http, customs, PROPOSE, input=memorandum())
    assert proposed["proposeAgreement"]["agreement"]["status"] == "proposed"
    assert await _entries_seen_by_emergency(http, keys) == []

    first = await _run(http, customs, SIGN, code="customs-emergency-mou", version=1)
    assert first["signAgreement"]["agreement"]["status"] == "proposed"
    assert await _entries_seen_by_emergency(http, keys) == []

    last = await _run(http, emergency, SIGN, code="customs-emergency-mou", version=1)
    assert last["signAgreement"]["agreement"]["status"] == "active"
    assert await _entries_seen_by_emergency(http, keys) == [
        {"casNumber": "71-43-2", "quantity": None}
    ]


async def _activate(http: httpx.AsyncClient, keys: SigningKeys, version: int = 1) -> None:
    for department in ("customs", "emergency"):
        await _run(
            http,
            token(keys, department, "steward"),
            SIGN,
            code="customs-emergency-mou",
            version=version,
        )


async def test_an_amendment_is_a_new_version_and_the_old_one_stays_readable(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    customs = token(keys, "customs", "steward")
    await _run(http, customs, PROPOSE, input=memorandum())
    await _activate(http, keys)
    amended = memorandum(
        grants=[
            {
                "provider": "customs",
                "consumers": ["emergency"],
                "recordType": "dangerous_chemical_entry",
                "fields": [
                    {"field": "cas_number", "level": "FULL"},
                    {"field": "quantity", "level": "MASKED"},
                ],
            }
        ]
    )

    preview = await _run(
        http,
        customs,
        "query($input: AgreementInput!) { previewAmendment(input: $input) "
        "{ consumer recordType field before after } }",
        input=amended,
    )
    assert preview["previewAmendment"] == [
        {
            "consumer": "emergency",
            "recordType": "dangerous_chemical_entry",
            "field": "quantity",
            "before": None,
            "after": "MASKED",
        }
    ]

    await _run(http, customs, PROPOSE, input=amended)
    assert await _entries_seen_by_emergency(http, keys) == [
        {"casNumber": "71-43-2", "quantity": None}
    ]
    await _activate(http, keys, version=2)
    assert await _entries_seen_by_emergency(http, keys) == [
        {"casNumber": "71-43-2", "quantity": "12000..13000"}
    ]

    versions = await _run(
        http,
        customs,
        '{ v1: agreement(code: "customs-emergency-mou", version: 1) { status } '
        'current: agreement(code: "customs-emergency-mou") { version status } }',
    )
    assert versions == {
        "v1": {"status": "superseded"},
        "current": {"version": 2, "status": "active"},
    }


@pytest.mark.parametrize(
    ("action", "visible_after"), [("suspendAgreement", False), ("revokeAgreement", False)]
)
async def test_suspension_and_revocation_apply_on_the_next_request(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, action: str, visible_after: bool
) -> None:
    customs = token(keys, "customs", "steward")
    await _run(http, customs, PROPOSE, input=memorandum())
    await _activate(http, keys)
    assert len(await _entries_seen_by_emergency(http, keys)) == 1

    await _run(
        http,
        token(keys, "emergency", "steward"),
        f'mutation {{ {action}(code: "customs-emergency-mou") {{ errors {{ field }} }} }}',
    )

    assert (len(await _entries_seen_by_emergency(http, keys)) == 1) is visible_after


async def test_a_resumed_agreement_applies_again_but_a_proposal_cannot_be_resumed_into_force(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    customs = token(keys, "customs", "steward")
    await _run(http, customs, PROPOSE, input=memorandum())

    _, body = await graphql(
        http,
        'mutation { resumeAgreement(code: "customs-emergency-mou") { errors { rule } } }',
        bearer=customs,
    )
    assert body["data"]["resumeAgreement"]["errors"] == [{"rule": "lifecycle"}]
    assert await _entries_seen_by_emergency(http, keys) == []

    await _activate(http, keys)
    await _run(
        http,
        customs,
        'mutation { suspendAgreement(code: "customs-emergency-mou") { errors { rule } } }',
    )
    await _run(
        http,
        customs,
        'mutation { resumeAgreement(code: "customs-emergency-mou") { errors { rule } } }',
    )
    assert len(await _entries_seen_by_emergency(http, keys)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "parties": ["emergency", "market"],
                "grants": [
                    {
                        "provider": "market",
                        "consumers": ["emergency"],
                        "recordType": "enterprise",
                        "fields": [{"field": "zone", "level": "FULL"}],
                    }
                ],
            },
            "your department must be a party",
        ),
        ({"validUntil": "2025-01-01T00:00:00Z"}, "valid_until must be after valid_from"),
        (
            {
                "grants": [
                    {
                        "provider": "customs",
                        "consumers": ["emergency"],
                        "recordType": "dangerous_chemical_entry",
                        "fields": [{"field": "secret_formula", "level": "FULL"}],
                    }
                ]
            },
            "not a shareable field",
        ),
        (
            {
                "grants": [
                    {
                        "provider": "customs",
                        "consumers": ["emergency"],
                        "recordType": "dangerous_chemical_entry",
                        "fields": [{"field": "cas_number", "level": "MASKED"}],
                    }
                ]
            },
            "declares no masking",
        ),
    ],
)
async def test_an_invalid_proposal_is_refused_with_a_reason_and_nothing_is_stored(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    overrides: dict[str, Any],
    message: str,
) -> None:
    customs = token(keys, "customs", "steward")

    data = await _run(http, customs, PROPOSE, input=memorandum(**overrides))

    errors = data["proposeAgreement"]["errors"]
    assert len(errors) == 1
    assert message in errors[0]["message"]
    assert (await _run(http, customs, "{ agreements { code } }"))["agreements"] == []


async def test_only_stewards_manage_agreements(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    _, body = await graphql(
        http, PROPOSE, bearer=token(keys, "customs", "reader"), variables={"input": memorandum()}
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_department_that_is_not_a_party_cannot_see_or_sign_the_agreement(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    await _run(http, token(keys, "customs", "steward"), PROPOSE, input=memorandum())
    park = token(keys, "park", "steward")

    listed = await _run(http, park, "{ agreements { code } }")
    signed = await _run(http, park, SIGN, code="customs-emergency-mou", version=1)

    assert listed == {"agreements": []}
    assert signed["signAgreement"]["errors"] == [
        {"field": "code", "rule": "exists", "message": "no such agreement"}
    ]


async def test_me_lists_the_effective_grants_so_clients_can_adapt(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    await _run(http, token(keys, "customs", "steward"), PROPOSE, input=memorandum())
    await _activate(http, keys)

    data = await _run(
        http,
        token(keys, "emergency"),
        "{ me { grants { provider recordType field level purposes agreement agreementVersion } } }",
    )

    assert data["me"]["grants"] == [
        {
            "provider": "customs",
            "recordType": "dangerous_chemical_entry",
            "field": "cas_number",
            "level": "FULL",
            "purposes": ["joint_inspection"],
            "agreement": "customs-emergency-mou",
            "agreementVersion": 1,
        }
    ]
