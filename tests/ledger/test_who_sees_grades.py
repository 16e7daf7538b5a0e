"""Who sees grades and certificates (owner, grant, nobody), through the root lists and
lookups, and the enterprise filters on them: a filter is refused unless the field is
shared at full by every department in view, and it counts only records in the caller's
row scope."""

from __future__ import annotations

from typing import Any

import httpx
from ledger_support import (
    GRADE,
    ISSUE,
    Sessions,
    certificate_input,
    grade_input,
    post,
    write,
)

from liaison.api.keys import SigningKeys
from world import USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE, World, grant

GRADES = "{ safetyGrades { edges { node { owner enterprise { uscc } grade assessedOn } } } }"


def _grades_to_customs(fields: dict[str, str], **scope: Any) -> dict[str, Any]:
    return {
        "provider": "emergency",
        "consumers": ["customs"],
        "record_type": "safety_grade",
        "purposes": ["joint_inspection"],
        "fields": fields,
        **({"scope": scope} if scope else {}),
    }


async def _graded(http: httpx.AsyncClient, keys: SigningKeys) -> str:
    payload = await write(http, keys, GRADE, "gradeEnterprise", grade_input(USCC_CHEMICAL))
    await write(http, keys, GRADE, "gradeEnterprise", grade_input(USCC_WAREHOUSE, grade="D"))
    grade_id: str = payload["grade"]["id"]
    return grade_id


async def _customs(http: httpx.AsyncClient, keys: SigningKeys, query: str) -> dict[str, Any]:
    return await post(
        http, keys, query, department="customs", roles=("reader",), purpose="joint_inspection"
    )


def _usccs(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["uscc"] for edge in body["data"]["enterprises"]["edges"]]


async def test_without_a_grant_another_department_sees_no_grade(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    grade_id = await _graded(http, keys)

    listed = await _customs(http, keys, GRADES)
    one = await _customs(http, keys, f'{{ safetyGrade(id: "{grade_id}") {{ id grade }} }}')
    own = await post(http, keys, GRADES, department="emergency", roles=("reader",))

    assert listed == {"data": {"safetyGrades": {"edges": []}}}
    assert one == {"data": {"safetyGrade": None}}
    assert [e["node"]["grade"] for e in own["data"]["safetyGrades"]["edges"]] == ["B", "D"]


async def test_a_grant_shows_its_fields_in_its_scope_and_withholds_the_rest(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await _graded(http, keys)
    async with sessions() as session, session.begin():
        await grant(session, _grades_to_customs({"grade": "full"}, zones=["Lingang Chemical Park"]))

    body = await _customs(http, keys, GRADES)

    assert body["data"]["safetyGrades"]["edges"] == [
        {
            "node": {
                "owner": "emergency",
                "enterprise": {"uscc": USCC_CHEMICAL},
                "grade": "B",
                "assessedOn": None,
            }
        }
    ]
    assert [e["extensions"]["element"] for e in body["errors"]] == ["safety_grade.assessed_on"]


async def test_enterprises_are_filtered_by_a_grade_the_caller_sees_in_full(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await _graded(http, keys)
    await write(
        http, keys, ISSUE, "issueStandardizationCertificate", certificate_input(USCC_PAINTS)
    )
    query = "query($f: EnterpriseFilter) { enterprises(filter: $f) { edges { node { uscc } } } }"

    def by(**given: Any) -> dict[str, Any]:
        return {"f": given}

    bureau = {
        name: _usccs(
            await post(
                http, keys, query, department="emergency", roles=("reader",), variables=given
            )
        )
        for name, given in {
            "grade B": by(safetyGrade="B"),
            "grade D": by(safetyGrade="D"),
            "level 2": by(standardizationLevel=2),
            "level 1": by(standardizationLevel=1),
        }.items()
    }
    customs_credit = _usccs(
        await post(
            http,
            keys,
            query,
            department="customs",
            roles=("reader",),
            variables=by(creditGrade="certified"),
        )
    )

    assert bureau == {
        "grade B": [USCC_CHEMICAL],
        "grade D": [USCC_WAREHOUSE],
        "level 2": [USCC_PAINTS],
        "level 1": [],
    }
    assert customs_credit == [USCC_CHEMICAL, USCC_PAINTS, USCC_WAREHOUSE]


async def test_a_filter_on_a_grade_not_shared_in_full_is_refused(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await _graded(http, keys)
    async with sessions() as session, session.begin():
        await grant(session, _grades_to_customs({"scheme": "full"}))

    body = await _customs(
        http,
        keys,
        '{ enterprises(filter: {safetyGrade: "B"}) { edges { node { uscc } } } }',
    )

    assert body["data"] is None
    [refused] = body["errors"]
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert refused["extensions"]["elements"] == ["safety_grade.grade"]


async def test_a_grade_filter_counts_only_grades_in_the_callers_row_scope(
    http: httpx.AsyncClient, keys: SigningKeys, world: World, sessions: Sessions
) -> None:
    await _graded(http, keys)
    async with sessions() as session, session.begin():
        await grant(
            session, _grades_to_customs({"grade": "full"}, zones=["Waigaoqiao Bonded Zone"])
        )

    in_scope = await _customs(
        http, keys, '{ enterprises(filter: {safetyGrade: "D"}) { edges { node { uscc } } } }'
    )
    out_of_scope = await _customs(
        http, keys, '{ enterprises(filter: {safetyGrade: "B"}) { edges { node { uscc } } } }'
    )

    assert _usccs(in_scope) == [USCC_WAREHOUSE]
    assert _usccs(out_of_scope) == []


async def test_certificates_are_listed_and_filtered_by_status(
    http: httpx.AsyncClient, keys: SigningKeys, world: World
) -> None:
    await write(
        http, keys, ISSUE, "issueStandardizationCertificate", certificate_input(USCC_CHEMICAL)
    )
    await write(
        http,
        keys,
        ISSUE,
        "issueStandardizationCertificate",
        certificate_input(
            USCC_PAINTS,
            certificateNumber="AQBH-SH-2019-0007",
            issuedOn="2019-01-01",
            validUntil="2021-12-31",
        ),
    )
    query = (
        "query($f: StandardizationCertificateFilter) { standardizationCertificates(filter: $f)"
        " { edges { node { certificateNumber status } } } }"
    )

    expired = await post(
        http, keys, query, department="emergency", variables={"f": {"status": "EXPIRED"}}
    )

    assert expired["data"]["standardizationCertificates"]["edges"] == [
        {"node": {"certificateNumber": "AQBH-SH-2019-0007", "status": "EXPIRED"}}
    ]
