"""The emergency management bureau grades enterprises A-D after their self-assessment and
issues and revokes standardization certificates: through HTTP with real tokens, every
refusal field by field with nothing written, and the audit event of each write."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ledger_support import (
    GRADE,
    ISSUE,
    REVOKE,
    UNKNOWN_USCC,
    Sessions,
    certificate_input,
    counts,
    grade_input,
    new_request_id,
    post,
    write,
)

from audit_events import events_for
from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, World


async def test_the_bureau_grades_an_enterprise_after_its_self_assessment(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    label = new_request_id("grade")

    payload = await write(
        http, keys, GRADE, "gradeEnterprise", grade_input(USCC_CHEMICAL), request_id=label
    )

    grade = payload["grade"]
    assert {k: v for k, v in grade.items() if k != "id"} == {
        "owner": "emergency",
        "enterprise": {"uscc": USCC_CHEMICAL},
        "scheme": "ENTERPRISE_SUPERVISION",
        "grade": "B",
        "assessedOn": "2026-10-15",
        "validUntil": "2027-10-14",
        "selfAssessmentScore": "82.5",
        "selfAssessedOn": "2026-09-01",
    }
    [event] = await events_for(sessions, label)
    assert event.entry.operation_type == "mutation"
    assert event.entry.principal_department == "emergency"
    assert ("emergency", "safety_grade", grade["id"]) in [
        (k.provider, k.record_type, k.record_ids) for k in event.entry.disclosed
    ]


@pytest.mark.parametrize(
    ("case", "overrides", "expected"),
    [
        ("a grade outside A-D", {"grade": "E"}, [("grade", "grade")]),
        ("a lower-case letter", {"grade": "b"}, [("grade", "grade")]),
        (
            "graded before the self-assessment",
            {"assessedOn": "2026-08-31"},
            [("assessedOn", "order")],
        ),
        ("a score above 100", {"selfAssessmentScore": "100.5"}, [("selfAssessmentScore", "range")]),
        ("a negative score", {"selfAssessmentScore": "-1"}, [("selfAssessmentScore", "range")]),
        ("valid until before graded", {"validUntil": "2026-10-15"}, [("validUntil", "order")]),
        ("an unknown enterprise", {"uscc": UNKNOWN_USCC}, [("uscc", "exists")]),
        (
            "an invalid USCC and a bad grade",
            {"uscc": "91310115MA1K4ABC06", "grade": "F"},
            [("uscc", "USCC"), ("grade", "grade")],
        ),
    ],
)
async def test_an_invalid_grade_is_refused_field_by_field_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        GRADE,
        department="emergency",
        variables={"input": grade_input(USCC_CHEMICAL, **overrides)},
    )

    payload = body["data"]["gradeEnterprise"]
    assert payload["grade"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected, case
    assert await counts(sessions) == before


async def test_only_the_emergency_bureaus_contributors_grade_or_certify(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    before = await counts(sessions)

    by_customs = await post(
        http, keys, GRADE, department="customs", variables={"input": grade_input(USCC_CHEMICAL)}
    )
    by_reader = await post(
        http,
        keys,
        ISSUE,
        department="emergency",
        roles=("reader",),
        variables={"input": certificate_input(USCC_CHEMICAL)},
    )

    for body in (by_customs, by_reader):
        assert body["data"] is None
        assert len(body["errors"]) == 1
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await counts(sessions) == before


async def test_a_certificate_is_issued_and_revoked_with_its_reason(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    issued = await write(
        http, keys, ISSUE, "issueStandardizationCertificate", certificate_input(USCC_CHEMICAL)
    )
    certificate = issued["certificate"]
    label = new_request_id("revoke")

    revoked = await write(
        http,
        keys,
        REVOKE,
        "revokeStandardizationCertificate",
        {"id": certificate["id"], "reason": "Fatal accident on 2026-11-02", "on": "2026-11-10"},
        request_id=label,
    )

    assert {k: v for k, v in certificate.items() if k != "id"} == {
        "owner": "emergency",
        "level": 2,
        "certificateNumber": "AQBH-SH-2026-0042",
        "issuedOn": "2026-06-01",
        "validUntil": "2029-05-31",
        "status": "VALID",
        "revokedOn": None,
        "revocationReason": None,
    }
    assert revoked["certificate"] == {
        "id": certificate["id"],
        "status": "REVOKED",
        "revokedOn": "2026-11-10",
        "revocationReason": "Fatal accident on 2026-11-02",
    }
    [event] = await events_for(sessions, label)
    assert event.entry.operation_type == "mutation"
    assert event.entry.outcome == "ok"


async def test_a_certificate_past_its_validity_reads_as_expired(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    payload = await write(
        http,
        keys,
        ISSUE,
        "issueStandardizationCertificate",
        certificate_input(USCC_PAINTS, issuedOn="2020-01-01", validUntil="2022-12-31"),
    )

    assert payload["certificate"]["status"] == "EXPIRED"


@pytest.mark.parametrize(
    ("case", "overrides", "expected"),
    [
        (
            "validity ending before it starts",
            {"validUntil": "2026-05-31"},
            [("validUntil", "order")],
        ),
        ("validity of no length", {"validUntil": "2026-06-01"}, [("validUntil", "order")]),
        ("a level outside 1-3", {"level": 4}, [("level", "level")]),
        ("a blank number", {"certificateNumber": "  "}, [("certificateNumber", "required")]),
        ("an unknown enterprise", {"uscc": UNKNOWN_USCC}, [("uscc", "exists")]),
    ],
)
async def test_an_invalid_certificate_is_refused_and_nothing_is_written(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    world: World,
    sessions: Sessions,
    case: str,
    overrides: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        ISSUE,
        department="emergency",
        variables={"input": certificate_input(USCC_CHEMICAL, **overrides)},
    )

    payload = body["data"]["issueStandardizationCertificate"]
    assert payload["certificate"] is None
    assert [(e["field"], e["rule"]) for e in payload["errors"]] == expected, case
    assert await counts(sessions) == before


async def test_a_certificate_number_is_issued_once(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await write(
        http, keys, ISSUE, "issueStandardizationCertificate", certificate_input(USCC_CHEMICAL)
    )
    before = await counts(sessions)

    body = await post(
        http,
        keys,
        ISSUE,
        department="emergency",
        variables={"input": certificate_input(USCC_PAINTS)},
    )

    errors = body["data"]["issueStandardizationCertificate"]["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("certificateNumber", "unique")]
    assert await counts(sessions) == before


async def test_a_revocation_out_of_order_is_refused_and_nothing_is_written(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    issued = await write(
        http, keys, ISSUE, "issueStandardizationCertificate", certificate_input(USCC_CHEMICAL)
    )
    certificate_id = issued["certificate"]["id"]
    await write(
        http,
        keys,
        REVOKE,
        "revokeStandardizationCertificate",
        {"id": certificate_id, "reason": "Accident", "on": "2026-11-10"},
    )
    before = await counts(sessions)
    attempts = {
        "again": {"id": certificate_id, "reason": "Again", "on": "2026-11-11"},
        "unknown id": {"id": "999999", "reason": "Accident"},
        "not an id": {"id": "abc", "reason": "Accident"},
    }

    answers = {
        case: (await post(http, keys, REVOKE, department="emergency", variables={"input": given}))[
            "data"
        ]["revokeStandardizationCertificate"]["errors"]
        for case, given in attempts.items()
    }

    assert {
        case: [(e["field"], e["rule"]) for e in errors] for case, errors in answers.items()
    } == {
        "again": [("id", "revoked")],
        "unknown id": [("id", "exists")],
        "not an id": [("id", "exists")],
    }
    assert await counts(sessions) == before
