"""A grant that applies only during an incident is stated by stewards like any other: in
AgreementInput, in the agreement as read back, in what an amendment would change, in what a
caller may see, and in the policy file an agreement exports to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml
from click.testing import CliRunner

from liaison.api.cli import main
from liaison.api.keys import SigningKeys
from liaison.permissions.policy_file import load_policy_file
from world import World, graphql, token

PROPOSE = """
mutation($input: AgreementInput!) {
  proposeAgreement(input: $input) {
    agreement { code grants { provider consumer recordType purposes during } }
    errors { field rule message }
  }
}"""
SIGN = """
mutation($code: String!) {
  signAgreement(code: $code, version: 1) { agreement { status } errors { message } }
}"""


def terms(**grant: Any) -> dict[str, Any]:
    return {
        "code": "storage-during-incidents",
        "title": "Storage locations for the emergency response",
        "legalBasis": "FTZ-MOU-2026-01",
        "purposes": ["joint_inspection", "emergency_response"],
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2099-01-01T00:00:00Z",
        "parties": ["customs", "park"],
        "grants": [
            {
                "provider": "customs",
                "consumers": ["park"],
                "recordType": "dangerous_chemical_entry",
                "fields": [{"field": "storage_location", "level": "FULL"}],
                **grant,
            }
        ],
    }


async def test_a_steward_proposes_a_grant_during_an_incident_and_reads_it_back(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    _, body = await graphql(
        http,
        PROPOSE,
        bearer=token(keys, "customs", "steward"),
        variables={"input": terms(during="incident")},
    )

    assert body["data"]["proposeAgreement"] == {
        "agreement": {
            "code": "storage-during-incidents",
            "grants": [
                {
                    "provider": "customs",
                    "consumer": "park",
                    "recordType": "dangerous_chemical_entry",
                    "purposes": ["emergency_response"],
                    "during": "incident",
                }
            ],
        },
        "errors": [],
    }


async def test_a_grant_during_an_incident_for_another_purpose_is_refused_on_input(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    _, body = await graphql(
        http,
        PROPOSE,
        bearer=token(keys, "customs", "steward"),
        variables={"input": terms(during="incident", purposes=["joint_inspection"])},
    )

    assert body["data"]["proposeAgreement"] == {
        "agreement": None,
        "errors": [
            {
                "field": "input",
                "rule": "policy",
                "message": "grants[0]: a grant during an incident serves emergency_response only",
            }
        ],
    }


async def test_an_amendment_preview_tells_a_grant_during_an_incident_from_a_standing_one(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    customs, park = token(keys, "customs", "steward"), token(keys, "park", "steward")
    await graphql(http, PROPOSE, bearer=customs, variables={"input": terms()})
    for steward in (customs, park):
        await graphql(http, SIGN, bearer=steward, variables={"code": "storage-during-incidents"})

    _, body = await graphql(
        http,
        "query($input: AgreementInput!) { previewAmendment(input: $input) "
        "{ consumer field during before after purposesBefore purposesAfter } }",
        bearer=customs,
        variables={"input": terms(during="incident")},
    )

    assert body["data"]["previewAmendment"] == [
        {
            "consumer": "park",
            "field": "storage_location",
            "during": None,
            "before": "FULL",
            "after": None,
            "purposesBefore": ["emergency_response", "joint_inspection"],
            "purposesAfter": [],
        },
        {
            "consumer": "park",
            "field": "storage_location",
            "during": "incident",
            "before": None,
            "after": "FULL",
            "purposesBefore": [],
            "purposesAfter": ["emergency_response"],
        },
    ]


async def test_a_caller_sees_which_of_its_grants_apply_only_during_an_incident(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    customs, park = token(keys, "customs", "steward"), token(keys, "park", "steward")
    await graphql(http, PROPOSE, bearer=customs, variables={"input": terms(during="incident")})
    for steward in (customs, park):
        await graphql(http, SIGN, bearer=steward, variables={"code": "storage-during-incidents"})

    _, body = await graphql(
        http, "{ me { grants { provider field level purposes during } } }", bearer=park
    )

    assert body["data"]["me"]["grants"] == [
        {
            "provider": "customs",
            "field": "storage_location",
            "level": "FULL",
            "purposes": ["emergency_response"],
            "during": "incident",
        }
    ]


def test_a_grant_during_an_incident_survives_export_and_import(
    database_url: str, world: World, tmp_path: Path
) -> None:
    policy = tmp_path / "storage.yaml"
    policy.write_text(
        yaml.safe_dump(
            {
                "agreement": "storage-during-incidents",
                "title": "Storage locations for the emergency response",
                "legal_basis": "FTZ-MOU-2026-01",
                "purposes": ["joint_inspection", "emergency_response"],
                "valid_from": "2026-01-01T00:00:00Z",
                "valid_until": "2099-01-01T00:00:00Z",
                "parties": ["customs", "park"],
                "grants": [
                    {
                        "provider": "customs",
                        "consumers": ["park"],
                        "record_type": "dangerous_chemical_entry",
                        "during": "incident",
                        "fields": {"storage_location": "full"},
                    },
                    {
                        "provider": "customs",
                        "consumers": ["park"],
                        "record_type": "dangerous_chemical_entry",
                        "purposes": ["emergency_response"],
                        "fields": {"storage_location": "full"},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    exported = tmp_path / "exported.yaml"
    runner = CliRunner()
    common = ["--database-url", database_url]

    imported = runner.invoke(main, ["agreements", "import", str(policy), "--activate", *common])
    written = runner.invoke(
        main,
        ["agreements", "export", "storage-during-incidents", "--output", str(exported), *common],
    )

    assert imported.exit_code == 0, imported.output
    assert written.exit_code == 0, written.output
    stated = {(g.consumer, g.purposes, g.during) for g in load_policy_file(exported).grants}
    assert stated == {
        ("park", frozenset({"emergency_response"}), "incident"),
        ("park", frozenset({"emergency_response"}), None),
    }
    assert [g.get("during") for g in yaml.safe_load(exported.read_text())["grants"]] == [
        "incident",
        None,
    ]
