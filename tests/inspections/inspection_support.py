"""What the joint inspection tests share: the mutations as a department's system sends
them, a plan of customs (the lead) with the emergency bureau, and row counts.

World data (tests/world.py): USCC_CHEMICAL and USCC_PAINTS in Lingang Chemical Park,
USCC_WAREHOUSE in Waigaoqiao Bonded Zone; each has one rectifying (open) risk of
emergency's and one customs credit rating graded "certified"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from incident_world import ask, count
from liaison.api.keys import SigningKeys
from liaison.db import inspection_models as im
from liaison.db import models
from world import RISKS_TO_CUSTOMS, USCC_CHEMICAL, USCC_PAINTS, grant, token

Sessions = async_sessionmaker[AsyncSession]
PURPOSE = "joint_inspection"
YEAR = dt.date.today().year
FROM, UNTIL = f"{YEAR}-01-01", f"{YEAR}-12-31"
VISIT_DAY = f"{YEAR}-06-15"

PLAN_FIELDS = """
  id owner title status windowFrom windowUntil
  participants { department response reason }
  items { code department aspect legalReference }
  targets { enterprise { uscc } drawn }
"""
PROPOSE = f"""
mutation($input: ProposeJointInspectionInput!) {{
  proposeJointInspection(input: $input) {{
    plan {{ {PLAN_FIELDS} }}
    errors {{ field rule message }}
  }}
}}"""
RESPOND = """
mutation($input: RespondToJointInspectionInput!) {
  respondToJointInspection(input: $input) {
    plan { id status participants { department response reason } }
    errors { field rule message }
  }
}"""
VISIT = """
mutation($input: RecordJointInspectionVisitInput!) {
  recordJointInspectionVisit(input: $input) {
    visit {
      id owner visitedOn departments inspectors departmentsPresent receptionHours
      enterprise { uscc }
      results { outcome note item { code department } risk { id owner category status evidence } }
    }
    errors { field rule message }
  }
}"""
WRITTEN = (
    im.JointInspectionPlan,
    im.JointInspectionParticipant,
    im.JointInspectionItem,
    im.JointInspectionTarget,
    im.JointInspectionDraw,
    im.JointInspectionVisit,
    im.JointInspectionResult,
    models.Risk,
)


async def agreed(sessions: Sessions, *grants: dict[str, Any]) -> None:
    """An active agreement among all five departments (the world's), with ``grants`` (an
    agreement grants something: by default, two fields of emergency's risks to customs)."""
    async with sessions() as session, session.begin():
        await grant(session, *(grants or (RISKS_TO_CUSTOMS,)))


async def counts(sessions: Sessions) -> list[int]:
    return [await count(sessions, model) for model in WRITTEN]


def plan_input(**overrides: Any) -> dict[str, Any]:
    return {
        "title": f"Lingang joint inspection {YEAR}",
        "legalBasis": "FTZ-MOU-2026-01 mutual assistance in law enforcement",
        "windowFrom": FROM,
        "windowUntil": UNTIL,
        "participants": ["emergency"],
        "items": [
            {"department": "customs", "code": "DG-01"},
            {"department": "customs", "code": "DG-04"},
            {"department": "emergency", "code": "DG-07"},
            {"department": "emergency", "code": "EP-01"},
        ],
        "targets": [USCC_CHEMICAL, USCC_PAINTS],
        **overrides,
    }


async def call(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    query: str,
    department: str,
    variables: dict[str, Any],
    *,
    roles: tuple[str, ...] = ("contributor",),
    request_id: str | None = None,
) -> dict[str, Any]:
    return await ask(
        http,
        query,
        token(keys, department, *roles),
        variables=variables,
        purpose=PURPOSE,
        request_id=request_id,
    )


async def propose(http: httpx.AsyncClient, keys: SigningKeys, **overrides: Any) -> dict[str, Any]:
    body = await call(http, keys, PROPOSE, "customs", {"input": plan_input(**overrides)})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["proposeJointInspection"]
    return payload


async def respond(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    plan_id: str,
    department: str,
    answer: str = "ACCEPT",
    reason: str | None = None,
) -> dict[str, Any]:
    given: dict[str, Any] = {"id": plan_id, "answer": answer}
    if reason is not None:
        given["reason"] = reason
    body = await call(http, keys, RESPOND, department, {"input": given})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["respondToJointInspection"]
    return payload


async def active_plan(http: httpx.AsyncClient, keys: SigningKeys, **overrides: Any) -> str:
    plan = (await propose(http, keys, **overrides))["plan"]
    answered = await respond(http, keys, plan["id"], "emergency")
    assert answered["plan"]["status"] == "ACTIVE"
    plan_id: str = plan["id"]
    return plan_id


def visit_input(plan_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "planId": plan_id,
        "uscc": USCC_CHEMICAL,
        "visitedOn": VISIT_DAY,
        "receptionHours": "6",
        "inspectors": [
            {"department": "customs", "name": "张伟"},
            {"department": "emergency", "name": "李娜"},
        ],
        "results": [
            {"itemCode": "DG-01", "outcome": "COMPLIANT"},
            {"itemCode": "DG-04", "outcome": "NOT_APPLICABLE"},
            {
                "itemCode": "DG-07",
                "outcome": "NON_COMPLIANT",
                "note": "oxidisers stored next to flammable liquids in warehouse 2",
            },
        ],
        **overrides,
    }


async def visit(
    http: httpx.AsyncClient,
    keys: SigningKeys,
    plan_id: str,
    request_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body = await call(
        http,
        keys,
        VISIT,
        "customs",
        {"input": visit_input(plan_id, **overrides)},
        request_id=request_id,
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["recordJointInspectionVisit"]
    return payload
