"""Joint inspections: a plan (of no enterprise) with its participants, checklist items and
draws, its targets and visits (each of one enterprise) and each item's result at a visit.

Every participating department (the lead among them) takes part in the plan and all its
records: it sees them whole, whatever the agreements say, from the proposal on, even after
declining (it has to see what it declined). A risk opened by a visit's non-compliant item
is owned by the item's department; the plan's participants see it too, as found on their
joint visit. Nobody else sees any of it unless a grant says so.
"""

from __future__ import annotations

from liaison.permissions.masking import month
from liaison.permissions.record_types import PartyRule, RecordType, record_type

PARTICIPANT = PartyRule("participant", "participant of the joint inspection plan")
FOUND_JOINTLY = PartyRule("inspection", "found on a joint inspection visit it took part in")

_OF_PLAN = ("id", "owner", "plan")
_OF_ENTERPRISE_IN_PLAN = ("id", "owner", "enterprise", "plan")

INSPECTION_TYPES: tuple[RecordType, ...] = (
    record_type(
        "joint_inspection_plan",
        "A joint inspection plan proposed by its lead department (the owner): one visit by "
        "every participant instead of one each.",
        with_record=("id", "owner", "participants", "items", "targets", "draws", "visits"),
        governed={
            "title": None,
            "legal_basis": None,
            "window_from": None,
            "window_until": None,
            "status": None,
            "proposed_on": month(),
        },
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_participant",
        "A department taking part in a joint inspection plan, and its answer.",
        with_record=_OF_PLAN,
        governed={"department": None, "response": None, "responded_on": None, "reason": None},
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_item",
        "A checklist item a participant brings to a plan, with the provision it checks.",
        with_record=_OF_PLAN,
        governed={
            "department": None,
            "code": None,
            "aspect": None,
            "text": None,
            "legal_reference": None,
        },
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_draw",
        "A reproducible random draw of a plan's targets or of a department's inspectors: "
        "its seed, the pool with each member's weight, and what was drawn.",
        with_record=_OF_PLAN,
        governed={
            "kind": None,
            "department": None,
            "seed": None,
            "criteria": None,
            "pool_size": None,
            "drawn_count": None,
            "pool": None,
            "drawn": None,
            "drawn_on": None,
        },
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_target",
        "An enterprise to be visited under a joint inspection plan.",
        with_record=(*_OF_ENTERPRISE_IN_PLAN, "draw"),
        governed={"drawn": None},
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_visit",
        "The one visit to an enterprise under a joint inspection plan.",
        with_record=(*_OF_ENTERPRISE_IN_PLAN, "results"),
        governed={
            "visited_on": None,
            "departments": None,
            "inspectors": None,
            "departments_present": None,
            "reception_hours": None,
        },
        parties=(PARTICIPANT,),
    ),
    record_type(
        "joint_inspection_result",
        "One checklist item's result at a visit; a non-compliant one opened a risk.",
        with_record=(*_OF_ENTERPRISE_IN_PLAN, "visit", "item", "risk"),
        governed={"outcome": None, "note": None},
        parties=(PARTICIPANT,),
    ),
)

# Party rules this workflow adds to record types it does not define.
INSPECTION_PARTIES: dict[str, tuple[PartyRule, ...]] = {"risk": (FOUND_JOINTLY,)}
