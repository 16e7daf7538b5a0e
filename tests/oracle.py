"""An independent oracle: what a department must see, worked out from the database rows
(read with plain SQL) and the agreement dicts a test stored, without any code from
``liaison.permissions`` or ``liaison.db.scope``.

The rules it encodes are the documented ones (DESIGN.md, issue 4, the schema's field
descriptions): a department sees its own records in full; another department's record only
through a grant in force (status active, now inside the agreement's window) from the
record's owner to the caller, for the record's type, for the stated purpose, whose scope
holds the record's enterprise; each field at the highest level such a grant gives; USCC and
name of every enterprise to everyone; a record of no enterprise (a campaign) only through an
unscoped grant. A department that holds a part in a record sees it whole, whatever the
grants say: a department an incident was routed to (its incident, chemicals, responses and
teams), the coordinator of an incident (its teams), an item's lead department (the item and
its campaign), a joint inspection plan's participants (the plan, its visits, and the risks
its visits' results opened), the department whose result a recognition recognises (the
recognition), a department applying a measure of joint discipline (the entry and all its
measures). A grant ``during: incident`` applies only for
emergency_response, with the case reference of an open incident the caller acknowledged, to
records of enterprises in that incident's zone. Masks are re-implemented from their documented
examples: a band "low..high" of the declared width, a date's month "YYYY-MM", an address's
district, a phone's first three and last four digits, a name's first character, and a
document number's first four and last two characters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

FULL = "full"
MASKED = "masked"

# --- what the schema documents about each field ---------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str  # as agreements name it
    kind: str  # text, enum, amount, day, department, bool
    mask: tuple[Any, ...] | None = None  # ("band", width), ("month",), ("district",), ...

    @property
    def graphql(self) -> str:
        return camel(self.name)


@dataclass(frozen=True)
class TypeSpec:
    name: str  # record type, as agreements name it
    graphql: str  # GraphQL object type
    table: str
    governed: tuple[FieldSpec, ...]
    links: tuple[str, ...] = ()  # always shown with the record: id, owner, ...

    @property
    def fields(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.governed}


def _f(name: str, kind: str = "text", *mask: Any) -> FieldSpec:
    return FieldSpec(name, kind, tuple(mask) if mask else None)


TYPES: dict[str, TypeSpec] = {
    t.name: t
    for t in (
        TypeSpec(
            "enterprise",
            "Enterprise",
            "enterprise",
            (
                _f("zone"),
                _f("address", "text", "district"),
                _f("legal_representative", "text", "name"),
                _f("contact_phone", "text", "phone"),
                _f("industry"),
                _f("registered_on", "day", "month"),
                _f("status", "enum"),
                _f("status_since", "day", "month"),
                _f("business_scope"),
            ),
            links=("id", "uscc", "name", "owner"),
        ),
        TypeSpec(
            "dangerous_chemical_entry",
            "DangerousChemicalEntry",
            "dangerous_chemical_entry",
            (
                _f("declaration_number", "text", "keep_ends", 4, 2),
                _f("chemical_name"),
                _f("cas_number"),
                _f("un_number"),
                _f("hazard_class"),
                _f("packing_group"),
                _f("quantity", "amount", "band", 1000),
                _f("unit"),
                _f("port"),
                _f("entry_date", "day", "month"),
                _f("storage_location", "text", "district"),
                _f("declared_value", "amount", "band", 100_000),
                _f("consignee"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "credit_rating",
            "CreditRating",
            "credit_rating",
            (
                _f("scheme"),
                _f("rule_set"),
                _f("grade"),
                _f("score", "amount", "band", 10),
                _f("reasons"),
                _f("effective_on", "day", "month"),
                _f("expires_on", "day", "month"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "risk",
            "Risk",
            "risk",
            (
                _f("category"),
                _f("description"),
                _f("level", "enum"),
                _f("found_on", "day", "month"),
                _f("rectification_deadline", "day", "month"),
                _f("status", "enum"),
                _f("overdue", "bool"),
                _f("closed_on", "day", "month"),
                _f("supervising_department", "department"),
                _f("evidence"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "incident",
            "Incident",
            "incident",
            (
                _f("reference"),
                _f("occurred_at", "moment"),
                _f("location", "text", "district"),
                _f("description"),
                _f("deaths", "int"),
                _f("serious_injuries", "int"),
                _f("evacuated", "int"),
                _f("direct_loss", "amount", "band", 1_000_000),
                _f("grade", "enum"),
                _f("grade_rule"),
                _f("status", "enum"),
                _f("opened_at", "moment"),
                _f("closed_at", "moment"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "incident_chemical",
            "IncidentChemical",
            "incident_chemical",
            (_f("chemical_name"), _f("cas_number"), _f("un_number")),
            links=("id", "owner"),
        ),
        TypeSpec(
            "incident_response",
            "IncidentResponse",
            "incident_response",
            (
                _f("department", "department"),
                _f("routed_for", "enum"),
                _f("routed_at", "moment"),
                _f("acknowledged_at", "moment"),
                _f("acknowledged_by"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "incident_team_member",
            "IncidentTeamMember",
            "incident_team_member",
            (_f("name", "text", "name"), _f("role"), _f("phone", "text", "phone")),
            links=("id", "owner"),
        ),
        TypeSpec(
            "rectification_campaign",
            "RectificationCampaign",
            "rectification_campaign",
            (
                _f("title"),
                _f("zone"),
                _f("basis"),
                _f("started_on", "day"),
                _f("ends_on", "day"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "rectification_item",
            "RectificationItem",
            "rectification_item",
            (
                _f("measure", "enum"),
                _f("deadline", "day", "month"),
                _f("lead_department", "department"),
                _f("status", "enum"),
                _f("overdue", "bool"),
                _f("outcome", "enum"),
                _f("completed_on", "day", "month"),
                _f("note"),
            ),
            links=("id", "owner"),
        ),
        # Joint inspections: the plan (of no enterprise) and its visits.
        TypeSpec(
            "joint_inspection_plan",
            "JointInspectionPlan",
            "joint_inspection_plan",
            (
                _f("title"),
                _f("legal_basis"),
                _f("window_from", "day"),
                _f("window_until", "day"),
                _f("status", "enum"),
                _f("proposed_on", "day", "month"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "joint_inspection_visit",
            "JointInspectionVisit",
            "joint_inspection_visit",
            (
                _f("visited_on", "day"),
                _f("departments", "list"),
                _f("inspectors", "list"),
                _f("departments_present", "int"),
                _f("reception_hours", "amount"),
            ),
            links=("id", "owner"),
        ),
        # The ledger branch: grades and certificates written, alterations of details.
        TypeSpec(
            "safety_grade",
            "SafetyGrade",
            "safety_grade",
            (
                _f("scheme", "enum"),
                _f("grade"),
                _f("assessed_on", "day", "month"),
                _f("valid_until", "day", "month"),
                _f("self_assessment_score", "amount", "band", 10),
                _f("self_assessed_on", "day", "month"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "standardization_certificate",
            "StandardizationCertificate",
            "standardization_certificate",
            (
                _f("level", "int"),
                _f("certificate_number", "text", "keep_ends", 4, 2),
                _f("issued_on", "day", "month"),
                _f("valid_until", "day", "month"),
                _f("status", "enum"),
                _f("revoked_on", "day", "month"),
                _f("revocation_reason"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "enterprise_alteration",
            "EnterpriseAlteration",
            "enterprise_alteration",
            (
                _f("altered_on", "day", "month"),
                _f("basis", "text", "keep_ends", 4, 2),
                _f("old_name"),
                _f("new_name"),
                _f("old_address", "text", "district"),
                _f("new_address", "text", "district"),
                _f("old_legal_representative", "text", "name"),
                _f("new_legal_representative", "text", "name"),
                _f("old_business_scope"),
                _f("new_business_scope"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "recognition",
            "Recognition",
            "recognition",
            (
                _f("recognised", "department"),
                _f("result_type", "enum"),
                _f("facilitation", "enum"),
                _f("valid_from", "day", "month"),
                _f("valid_until", "day", "month"),
                _f("legal_basis"),
                _f("recorded_on", "day", "month"),
                _f("status", "enum"),
                _f("in_force", "bool"),
                _f("lapsed_on", "day", "month"),
                _f("lapse_reason"),
            ),
            links=("id", "owner"),
        ),
        # certificates and the joint discipline list
        TypeSpec(
            "certificate",
            "Certificate",
            "certificate",
            (
                _f("kind", "enum"),
                _f("number", "text", "keep_ends", 4, 2),
                _f("issuing_body"),
                _f("scope"),
                _f("valid_from", "day", "month"),
                _f("valid_until", "day", "month"),
                _f("status", "enum"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "certificate_event",
            "CertificateEvent",
            "certificate_event",
            (
                _f("kind", "enum"),
                _f("occurred_on", "day", "month"),
                _f("reason_category", "enum"),
                _f("reason"),
                _f("legal_basis"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "joint_discipline_entry",
            "JointDisciplineEntry",
            "joint_discipline_entry",
            (
                _f("since", "day"),
                _f("trigger", "enum"),
                _f("status", "enum"),
                _f("repaired_on", "day"),
                _f("repair_basis"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "joint_discipline_measure",
            "JointDisciplineMeasure",
            "joint_discipline_measure",
            (_f("department", "department"), _f("measure", "enum")),
            links=("id", "owner"),
        ),
    )
}
PUBLIC = {"enterprise": frozenset({"id", "uscc", "name"})}
# The lists a record links to: list field -> (record type, the column naming the parent).
CHILD_LISTS: dict[str, dict[str, tuple[str, str]]] = {
    "enterprise": {
        "dangerous_chemical_entries": ("dangerous_chemical_entry", "enterprise_id"),
        "credit_ratings": ("credit_rating", "enterprise_id"),
        "risks": ("risk", "enterprise_id"),
        "safety_grades": ("safety_grade", "enterprise_id"),
        "standardization_certificates": ("standardization_certificate", "enterprise_id"),
        "alterations": ("enterprise_alteration", "enterprise_id"),
    },
    "incident": {
        "chemicals": ("incident_chemical", "incident_id"),
        "responses": ("incident_response", "incident_id"),
        "team": ("incident_team_member", "incident_id"),
    },
    "rectification_campaign": {"items": ("rectification_item", "campaign_id")},
    "joint_inspection_plan": {"visits": ("joint_inspection_visit", "plan_id")},
    "certificate": {"events": ("certificate_event", "certificate_id")},
    "joint_discipline_entry": {"measures": ("joint_discipline_measure", "entry_id")},
}
_OF_ENTERPRISE = {"enterprise": ("enterprise", "enterprise_id")}
_OF_INCIDENT = {**_OF_ENTERPRISE, "incident": ("incident", "incident_id")}
# The record a record points at: link field -> (record type, the column holding its id).
BACK_LINKS: dict[str, dict[str, tuple[str, str]]] = {
    "enterprise": {},
    "dangerous_chemical_entry": _OF_ENTERPRISE,
    "credit_rating": _OF_ENTERPRISE,
    "risk": _OF_ENTERPRISE,
    "incident": _OF_ENTERPRISE,
    "incident_chemical": _OF_INCIDENT,
    "incident_response": _OF_INCIDENT,
    "incident_team_member": _OF_INCIDENT,
    "rectification_campaign": {},
    "rectification_item": {
        **_OF_ENTERPRISE,
        "campaign": ("rectification_campaign", "campaign_id"),
    },
    "joint_inspection_plan": {},
    "joint_inspection_visit": {
        **_OF_ENTERPRISE,
        "plan": ("joint_inspection_plan", "plan_id"),
    },
    "safety_grade": _OF_ENTERPRISE,
    "standardization_certificate": _OF_ENTERPRISE,
    "enterprise_alteration": _OF_ENTERPRISE,
    "recognition": _OF_ENTERPRISE,
    "certificate": _OF_ENTERPRISE,
    "certificate_event": {**_OF_ENTERPRISE, "certificate": ("certificate", "certificate_id")},
    # (its trigger's links may be null: the oracle follows only links that always hold)
    "joint_discipline_entry": _OF_ENTERPRISE,
    "joint_discipline_measure": {
        **_OF_ENTERPRISE,
        "entry": ("joint_discipline_entry", "entry_id"),
    },
}
ROOT_LISTS = {
    "enterprises": "enterprise",
    "dangerous_chemical_entries": "dangerous_chemical_entry",
    "credit_ratings": "credit_rating",
    "risks": "risk",
    "incidents": "incident",
    "rectification_campaigns": "rectification_campaign",
    "rectification_items": "rectification_item",
    "joint_inspection_plans": "joint_inspection_plan",
    "joint_inspection_visits": "joint_inspection_visit",
    "safety_grades": "safety_grade",
    "standardization_certificates": "standardization_certificate",
    "recognitions": "recognition",
    "certificates": "certificate",
    "joint_discipline_list": "joint_discipline_entry",
}
# The root list through which records of each type are reached.
ROOT_OF = {
    **{t: root for root, t in ROOT_LISTS.items()},
    "incident_chemical": "incidents",
    "incident_response": "incidents",
    "incident_team_member": "incidents",
    "enterprise_alteration": "enterprises",
    "certificate_event": "certificates",
    "joint_discipline_measure": "joint_discipline_list",
}
EMERGENCY_RESPONSE = "emergency_response"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# --- masks, from their documented examples ----------------------------------------------------


def _plain(amount: Decimal) -> str:
    text_ = f"{amount:f}"
    if "." in text_:
        text_ = text_.rstrip("0").rstrip(".")
    return text_


def mask(spec: tuple[Any, ...], value: Any) -> str | None:
    if value is None:
        return None
    kind = spec[0]
    if kind == "band":  # 12500 in bands of 1000: "12000..13000"
        width = int(spec[1])
        low = int((Decimal(value) / width).to_integral_value(rounding=ROUND_FLOOR)) * width
        return f"{low}..{low + width}"
    if kind == "month":  # 2026-03-14: "2026-03"
        return as_date(value).isoformat()[:7]
    if kind == "district":  # 上海市浦东新区海港大道1500号: "上海市浦东新区"
        address = str(value)
        ends = [
            address.index(marker) + len(marker)
            for marker in ("区", "县", "旗", "District", "County")
            if marker in address
        ]
        return address[: min(ends)] if ends else ""
    if kind == "phone":  # 13812345678: "138****5678"
        digits = str(value)
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if kind == "name":  # 张三: "张*"
        name = str(value)
        return name[0] + "*" * (len(name) - 1)
    if kind == "keep_ends":  # all but the first 4 and last 2 characters hidden
        start, end = int(spec[1]), int(spec[2])
        code = str(value)
        return code[:start] + "*" * (len(code) - start - end) + code[len(code) - end :]
    raise ValueError(f"unknown mask {spec!r}")


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- the database, read with plain SQL --------------------------------------------------------


@dataclass(repr=False)
class Rows:
    departments: dict[int, str]  # id -> code
    records: dict[str, list[dict[str, Any]]]  # record type -> rows ordered by id

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(rows)} {t}" for t, rows in self.records.items())
        return f"Rows({counts})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints it
        printer.text(repr(self))

    def enterprise(self, enterprise_id: int) -> dict[str, Any]:
        return self.record("enterprise", enterprise_id)

    def record(self, record_type: str, record_id: int) -> dict[str, Any]:
        return next(r for r in self.records[record_type] if r["id"] == record_id)

    def routed(self, incident_id: int) -> dict[str, bool]:
        """Department -> whether it acknowledged, for each department the incident was
        routed to."""
        return {
            r["department"]: r["acknowledged_at"] is not None
            for r in self.records["incident_response"]
            if r["incident_id"] == incident_id
        }


_COLUMNS = {
    "enterprise": "id, uscc, name, owner_department_id, zone, address, legal_representative,"
    " contact_phone, industry, registered_on, status, status_since, business_scope",
    "dangerous_chemical_entry": "id, enterprise_id, owner_department_id, declaration_number,"
    " chemical_name, cas_number, un_number, hazard_class, packing_group, quantity, unit, port,"
    " entry_date, storage_location, declared_value, consignee",
    "credit_rating": "id, enterprise_id, owner_department_id, scheme, rule_set, grade, score,"
    " reasons, effective_on, expires_on",
    "risk": "id, enterprise_id, owner_department_id, category, description, level, found_on,"
    " rectification_deadline, status, closed_on, supervising_department_id, evidence",
    "incident": "id, enterprise_id, owner_department_id, reference, zone, occurred_at,"
    " location, description, deaths, serious_injuries, evacuated, direct_loss, grade,"
    " grade_rule, status, opened_at, closed_at",
    "incident_chemical": "id, incident_id, enterprise_id, owner_department_id, chemical_name,"
    " cas_number, un_number",
    "incident_response": "id, incident_id, enterprise_id, owner_department_id, department_id,"
    " routed_for, routed_at, acknowledged_at, acknowledged_by",
    "incident_team_member": "id, incident_id, enterprise_id, owner_department_id, name, role,"
    " phone",
    "rectification_campaign": "id, owner_department_id, title, zone, basis, started_on, ends_on",
    "rectification_item": "id, campaign_id, enterprise_id, owner_department_id, measure,"
    " deadline, lead_department_id, status, outcome, completed_on, note",
    "joint_inspection_plan": "id, owner_department_id, title, legal_basis, window_from,"
    " window_until, status, proposed_on",
    "joint_inspection_visit": "id, plan_id, enterprise_id, owner_department_id, visited_on,"
    " departments, inspectors, departments_present, reception_hours",
    "safety_grade": "id, enterprise_id, owner_department_id, scheme, grade, assessed_on,"
    " valid_until, self_assessment_score, self_assessed_on",
    "standardization_certificate": "id, enterprise_id, owner_department_id, level,"
    " certificate_number, issued_on, valid_until, revoked_on, revocation_reason",
    "enterprise_alteration": "id, enterprise_id, owner_department_id, altered_on, basis,"
    " old_name, new_name, old_address, new_address, old_legal_representative,"
    " new_legal_representative, old_business_scope, new_business_scope",
    "recognition": "id, enterprise_id, owner_department_id, recognised_department_id,"
    " result_type, facilitation, valid_from, valid_until, legal_basis, recorded_on, status,"
    " lapsed_on, lapse_reason",
    "certificate": "id, enterprise_id, owner_department_id, kind, number, issuing_body, scope,"
    " valid_from, valid_until, state",
    "certificate_event": "id, certificate_id, enterprise_id, owner_department_id, kind,"
    " occurred_on, reason_category, reason, legal_basis",
    "joint_discipline_entry": "id, enterprise_id, owner_department_id, since,"
    " trigger_kind AS trigger, status, repaired_on, repair_basis",
    "joint_discipline_measure": "id, entry_id, enterprise_id, owner_department_id,"
    " department_id, measure",
}
# A plan's participants (who take part in it and its records) and the risks its visits'
# results opened (which its participants see, as found jointly).
_INSPECTION_PARTS = {
    "joint_inspection_participant": "SELECT plan_id, department_id FROM"
    " joint_inspection_participant",
    "joint_inspection_result": "SELECT plan_id, risk_id FROM joint_inspection_result"
    " WHERE risk_id IS NOT NULL",
}
# Columns that hold a department's id, and the field that shows its code.
_DEPARTMENT_COLUMNS = {
    "supervising_department_id": "supervising_department",
    "department_id": "department",
    "lead_department_id": "lead_department",
    "recognised_department_id": "recognised",
}


async def read_rows(session: AsyncSession) -> Rows:
    departments = {
        int(i): str(code)
        for i, code in await session.execute(text("SELECT id, code FROM department"))
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for record_type, columns in _COLUMNS.items():
        result = await session.execute(
            text(f"SELECT {columns} FROM {TYPES[record_type].table} ORDER BY id")  # noqa: S608 - constants
        )
        rows = []
        for raw in result.mappings():
            row = dict(raw)
            row["owner"] = departments[row.pop("owner_department_id")]
            for column, name in _DEPARTMENT_COLUMNS.items():
                if column in row:
                    row[name] = departments[row.pop(column)]
            if record_type == "risk":
                deadline = as_date(row["rectification_deadline"])
                row["overdue"] = row["status"] != "closed" and deadline < dt.date.today()
            if record_type == "recognition":
                today = dt.date.today()
                row["in_force"] = row["status"] == "active" and as_date(
                    row["valid_from"]
                ) <= today <= as_date(row["valid_until"])
            if record_type == "rectification_item":
                deadline = as_date(row["deadline"])
                row["overdue"] = row["status"] != "completed" and deadline < dt.date.today()
            if record_type == "certificate":
                # Expired once valid_until has passed, unless revoked first.
                lapsed = as_date(row["valid_until"]) < dt.date.today()
                row["status"] = "expired" if lapsed and row["state"] != "revoked" else row["state"]
            if record_type == "standardization_certificate":
                lapsed = as_date(row["valid_until"]) < dt.date.today()
                revoked = row["revoked_on"] is not None
                row["status"] = "revoked" if revoked else "expired" if lapsed else "valid"
            rows.append(row)
        records[record_type] = rows
    for name, statement in _INSPECTION_PARTS.items():
        result = await session.execute(text(statement))
        records[name] = [
            {"plan_id": plan, "department": departments.get(other, ""), "risk_id": other}
            for plan, other in result
        ]
    return Rows(departments, records)


def graphql_value(spec: FieldSpec, value: Any) -> Any:
    """A raw column value as the API renders it at full level."""
    if value is None:
        return None
    if spec.kind == "amount":
        return _plain(Decimal(str(value)))
    if spec.kind == "day":
        return as_date(value).isoformat()
    if spec.kind == "enum":
        return str(value).upper()
    if spec.kind == "bool":
        return bool(value)
    if spec.kind == "int":
        return int(value)
    if spec.kind == "list":  # a JSON array, as the driver returns it (SQLite: its text)
        return json.loads(value) if isinstance(value, str) else list(value)
    if spec.kind == "moment":  # a moment in UTC, as ISO 8601 with its offset
        return as_moment(value).astimezone(dt.UTC).isoformat()
    return str(value)


# --- queries the oracle can answer --------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What a query selects on one record type: scalar fields, then nested selections
    (``enterprise`` for a record's back-link, or an enterprise's child lists)."""

    record_type: str
    fields: tuple[str, ...]
    children: tuple[tuple[str, Selection], ...] = ()

    def graphql(self) -> str:
        parts = [camel(f) for f in self.fields]
        parts += [f"{camel(link)} {{ {child.graphql()} }}" for link, child in self.children]
        return " ".join(parts)

    def walk(self) -> Iterable[Selection]:
        yield self
        for _, child in self.children:
            yield from child.walk()


def render_query(roots: Sequence[tuple[str, Selection]]) -> str:
    lists = [f"{camel(root)} {{ edges {{ node {{ {s.graphql()} }} }} }}" for root, s in roots]
    return "{ " + " ".join(lists) + " }"


# --- the oracle -----------------------------------------------------------------------------


@dataclass
class Withheld:
    owners: set[str] = field(default_factory=set)
    records: set[int] = field(default_factory=set)


Site = tuple[str, ...]  # where records appear: response keys from the root, no indices


@dataclass
class Expectation:
    data: dict[str, Any]
    # (site, GraphQL type, GraphQL field) -> owners and records withheld there
    withheld: dict[tuple[Site, str, str], Withheld]
    purpose_required: bool
    shared: dict[str, int]  # values of others' records shown, by level: how much was tested
    secrets: set[str]

    def withheld_fields(self) -> set[str]:
        return {f"{type_}.{name}" for _, type_, name in self.withheld}

    def forbidden(self) -> list[tuple[str, list[str], int]]:
        """One FORBIDDEN error per field selection (each place of the response where the
        field is selected and comes back null): ("Type.field", owners, distinct records)."""
        return sorted(
            (f"{type_}.{name}", sorted(w.owners), len(w.records))
            for (_, type_, name), w in self.withheld.items()
        )


class Oracle:
    def __init__(
        self,
        rows: Rows,
        agreements: Sequence[Mapping[str, Any]],
        *,
        caller: str,
        purpose: str | None,
        now: dt.datetime,
        case: str | None = None,
    ) -> None:
        self.rows = rows
        self.caller = caller
        self.purpose = purpose
        self.now = now
        self._shared = {FULL: 0, MASKED: 0}
        self.grants = [
            (agreement, g)
            for agreement in agreements
            for g in agreement["grants"]
            if caller in g["consumers"]
        ]
        # The zone of the open incident the case names, if the caller acknowledged it.
        self.incident_zone: str | None = None
        for incident in rows.records["incident"]:
            named = incident["reference"] == case and incident["status"] == "open"
            if named and rows.routed(incident["id"]).get(caller):
                self.incident_zone = incident["zone"]

    # Which grants apply -------------------------------------------------------------------

    def _in_force(self, agreement: Mapping[str, Any]) -> bool:
        return agreement.get("status", "active") == "active" and as_moment(
            agreement["valid_from"]
        ) <= self.now < as_moment(agreement["valid_until"])

    @staticmethod
    def _purposes(agreement: Mapping[str, Any], grant: Mapping[str, Any]) -> set[str]:
        default = [EMERGENCY_RESPONSE] if grant.get("during") else agreement["purposes"]
        return set(grant.get("purposes", default))

    def _in_scope(self, grant: Mapping[str, Any], enterprise: Mapping[str, Any] | None) -> bool:
        scope = dict(grant.get("scope") or {})
        if grant.get("during"):
            # Only during the incident the case names, for its zone.
            zone = self.incident_zone
            if self.purpose != EMERGENCY_RESPONSE or zone is None:
                return False
            if "zones" in scope and zone not in scope["zones"]:
                return False
            scope["zones"] = [zone]
        if enterprise is None:  # a record of no enterprise: unscoped grants only
            return not scope
        return (
            ("zones" not in scope or enterprise["zone"] in scope["zones"])
            and ("industries" not in scope or enterprise["industry"] in scope["industries"])
            and ("enterprises" not in scope or enterprise["uscc"] in scope["enterprises"])
        )

    def _enterprise_of(
        self, record_type: str, record: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        if record_type == "enterprise":
            return record
        if "enterprise_id" not in record:
            return None
        return self.rows.enterprise(record["enterprise_id"])

    def _matching(self, record_type: str, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        if self.purpose is None:
            return []
        enterprise = self._enterprise_of(record_type, record)
        return [
            g
            for agreement, g in self.grants
            if self._in_force(agreement)
            and self.purpose in self._purposes(agreement, g)
            and g["provider"] == record["owner"]
            and g["record_type"] == record_type
            and self._in_scope(g, enterprise)
        ]

    def party(self, record_type: str, record: Mapping[str, Any]) -> bool:
        """Whether the caller holds a part in another department's record."""
        if record["owner"] == self.caller:
            return False
        if record_type == "incident":
            return self.caller in self.rows.routed(record["id"])
        if record_type in {"incident_chemical", "incident_response", "incident_team_member"}:
            routed = self.caller in self.rows.routed(record["incident_id"])
            coordinates = (
                record_type == "incident_team_member"
                and self.rows.record("incident", record["incident_id"])["owner"] == self.caller
            )
            return routed or coordinates
        if record_type == "rectification_item":
            return bool(record["lead_department"] == self.caller)
        if record_type == "recognition":
            return bool(record["recognised"] == self.caller)
        if record_type in {"joint_inspection_plan", "joint_inspection_visit"}:
            plan = record["id"] if record_type == "joint_inspection_plan" else record["plan_id"]
            return self._takes_part(plan)
        if record_type == "risk":
            return any(
                r["risk_id"] == record["id"] and self._takes_part(r["plan_id"])
                for r in self.rows.records["joint_inspection_result"]
            )
        if record_type == "rectification_campaign":
            return any(
                item["campaign_id"] == record["id"] and item["lead_department"] == self.caller
                for item in self.rows.records["rectification_item"]
            )
        if record_type in {"joint_discipline_entry", "joint_discipline_measure"}:
            # Every department applying a measure to the entry takes part in it.
            entry_id = (
                record["id"] if record_type == "joint_discipline_entry" else record["entry_id"]
            )
            return any(
                m["entry_id"] == entry_id and m["department"] == self.caller
                for m in self.rows.records["joint_discipline_measure"]
            )
        return False

    def _takes_part(self, plan_id: int) -> bool:
        return any(
            p["plan_id"] == plan_id and p["department"] == self.caller
            for p in self.rows.records["joint_inspection_participant"]
        )

    def visible(self, record_type: str, record: Mapping[str, Any]) -> bool:
        if record_type == "enterprise" or record["owner"] == self.caller:
            return True
        return self.party(record_type, record) or bool(self._matching(record_type, record))

    def level(self, record_type: str, record: Mapping[str, Any], name: str) -> str | None:
        if name in PUBLIC.get(record_type, ()) or name in TYPES[record_type].links:
            return FULL
        if record["owner"] == self.caller or self.party(record_type, record):
            return FULL
        levels = {g["fields"].get(name) for g in self._matching(record_type, record)}
        if FULL in levels:
            return FULL
        return MASKED if MASKED in levels else None

    def secrets(self) -> set[str]:
        """Raw values of others' records the caller may not see raw (the record hidden, or
        the field withheld or masked): long enough not to turn up in a response by chance."""
        found = set()
        for record_type, spec in TYPES.items():
            for record in self.rows.records[record_type]:
                if record["owner"] == self.caller:
                    continue
                seen = self.visible(record_type, record)
                for f in spec.governed:
                    if f.kind in {"bool", "department", "list"} or record[f.name] is None:
                        continue
                    if not seen or self.level(record_type, record, f.name) != FULL:
                        value = str(graphql_value(f, record[f.name]))
                        if len(value) >= 4:
                            found.add(value)
        return found

    def could_state_a_purpose(self) -> bool:
        return any(self._in_force(agreement) for agreement, _ in self.grants)

    # What a query must return --------------------------------------------------------------

    def expect(self, roots: Sequence[tuple[str, Selection]]) -> Expectation:
        withheld: dict[tuple[Site, str, str], Withheld] = {}
        self._shared = {FULL: 0, MASKED: 0}
        data = {}
        for root, selection in roots:
            records = [
                r
                for r in self.rows.records[ROOT_LISTS[root]]
                if self.visible(selection.record_type, r)
            ]
            site = (camel(root), "edges", "node")
            data[camel(root)] = {
                "edges": [{"node": self._render(selection, r, site, withheld)} for r in records]
            }
        beyond_public_keys = any(
            s.record_type != "enterprise" or set(s.fields) - PUBLIC["enterprise"]
            for _, root_selection in roots
            for s in root_selection.walk()
        )
        return Expectation(
            data=data,
            withheld=withheld,
            purpose_required=self.purpose is None
            and beyond_public_keys
            and self.could_state_a_purpose(),
            shared=dict(self._shared),
            secrets=self.secrets(),
        )

    def _render(
        self,
        selection: Selection,
        record: Mapping[str, Any],
        site: Site,
        withheld: dict[tuple[Site, str, str], Withheld],
    ) -> dict[str, Any]:
        record_type = selection.record_type
        spec = TYPES[record_type]
        out: dict[str, Any] = {}
        for name in selection.fields:
            if name in spec.links:
                out[camel(name)] = str(record[name]) if name == "id" else record[name]
                continue
            field_spec = spec.fields[name]
            level = self.level(record_type, record, name)
            if level is not None and record["owner"] != self.caller:
                self._shared[level] += 1
            if level == FULL:
                out[field_spec.graphql] = graphql_value(field_spec, record[name])
            elif level == MASKED and field_spec.mask is not None:
                out[field_spec.graphql] = mask(field_spec.mask, record[name])
            else:
                out[field_spec.graphql] = None
                key = (site, spec.graphql, field_spec.graphql)
                tally = withheld.setdefault(key, Withheld())
                tally.owners.add(record["owner"])
                tally.records.add(record["id"])
        for link, child in selection.children:
            here = (*site, camel(link))
            if link in BACK_LINKS[record_type]:
                target, column = BACK_LINKS[record_type][link]
                linked = self.rows.record(target, record[column])
                # A record the caller may not reach is answered like one that does not exist.
                seen = self.visible(target, linked)
                out[camel(link)] = self._render(child, linked, here, withheld) if seen else None
            else:
                target, column = CHILD_LISTS[record_type][link]
                out[camel(link)] = [
                    self._render(child, r, here, withheld)
                    for r in self.rows.records[target]
                    if r[column] == record["id"] and self.visible(target, r)
                ]
        return out
