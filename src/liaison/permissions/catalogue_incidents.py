"""Coordinated emergency response: an incident, the chemicals involved, the departments it
was routed to (and whether they acknowledged), and each responding department's team.

The departments an incident is routed to take part in it: they see the incident, its
chemicals, the roll of who was called and the teams whole, whatever the agreements say.
What they may see of *other* records during the incident (the enterprise's dangerous
chemicals, open hidden dangers, contacts) is the memorandum's ``during: incident`` grants'
business (see ``incident_access``), not the parties'."""

from __future__ import annotations

from liaison.permissions.masking import band, district, person_name, phone
from liaison.permissions.record_types import LINKS, PartyRule, RecordType, record_type

RESPONDER = PartyRule("responder", "responder to the incident (acknowledged it)")
ROUTED = PartyRule("routed", "department the incident was routed to by the emergency roster")
COORDINATOR = PartyRule("coordinator", "department coordinating the incident (opened it)")

INCIDENT_TYPES: tuple[RecordType, ...] = (
    record_type(
        "incident",
        "A production-safety incident at an enterprise, graded under Decree No. 493.",
        with_record=(*LINKS, "chemicals", "responses", "team"),
        governed={
            "reference": None,
            "occurred_at": None,
            "location": district(),
            "description": None,
            "deaths": None,
            "serious_injuries": None,
            "evacuated": None,
            "direct_loss": band(1_000_000),
            "grade": None,
            "grade_rule": None,
            "status": None,
            "opened_at": None,
            "closed_at": None,
        },
        parties=(RESPONDER, ROUTED),
    ),
    record_type(
        "incident_chemical",
        "A dangerous chemical involved in an incident.",
        with_record=(*LINKS, "incident"),
        governed={"chemical_name": None, "cas_number": None, "un_number": None},
        parties=(RESPONDER, ROUTED),
    ),
    record_type(
        "incident_response",
        "A department an incident was routed to, and its acknowledgement.",
        with_record=(*LINKS, "incident"),
        governed={
            "department": None,
            "routed_for": None,
            "routed_at": None,
            "acknowledged_at": None,
            "acknowledged_by": None,
        },
        parties=(ROUTED,),
    ),
    record_type(
        "incident_team_member",
        "A person a responding department sent to an incident.",
        with_record=(*LINKS, "incident"),
        governed={"name": person_name(), "role": None, "phone": phone()},
        parties=(ROUTED, COORDINATOR),
    ),
)
