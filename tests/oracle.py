"""An independent oracle: what a department must see, worked out from the database rows
(read with plain SQL) and the agreement dicts a test stored, without any code from
``liaison.permissions`` or ``liaison.db.scope``.

The rules it encodes are the documented ones (DESIGN.md, issue 4, the schema's field
descriptions): a department sees its own records in full; another department's record only
through a grant in force (status active, now inside the agreement's window) from the
record's owner to the caller, for the record's type, for the stated purpose, whose scope
holds the record's enterprise (a record of no enterprise: only an unscoped grant); each field
at the highest level such a grant gives; USCC and name of every enterprise to everyone.
Parties see a record whole, whatever the grants (the referrals' documentation): the receiver
of a referral sees it; while it is in hand (sent, accepted or handled), also its
attachments, the public report it carries and the records of its sender's it refers to.
Masks are re-implemented from their documented examples: a band "low..high" of the declared
width, a date's month "YYYY-MM", an address's district, a phone's first three and last four
digits, a name's first character, and a document number's first four and last two
characters.
"""

from __future__ import annotations

import base64
import datetime as dt
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
    graphql_name: str | None = None  # when the GraphQL field is not the camel-cased name

    @property
    def graphql(self) -> str:
        return self.graphql_name or camel(self.name)


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
            "referral",
            "Referral",
            "referral",
            (
                _f("receiver", "department"),
                _f("category"),
                _f("description"),
                _f("legal_basis"),
                _f("sent_on", "day", "month"),
                _f("feedback_deadline", "day", "month"),
                _f("status", "enum"),
                _f("overdue", "bool"),
                _f("accepted_on", "day", "month"),
                _f("returned_on", "day", "month"),
                _f("return_reason"),
                _f("handled_on", "day", "month"),
                _f("feedback"),
                _f("penalty_decision", "text", "keep_ends", 4, 2),
                _f("withdrawn_on", "day", "month"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "referral_attachment",
            "ReferralAttachment",
            "referral_attachment",
            (
                _f("name"),
                _f("media_type"),
                _f("size_bytes", "int"),
                _f("sha256"),
                FieldSpec("content", "text", None, "contentBase64"),
            ),
            links=("id", "owner"),
        ),
        TypeSpec(
            "public_report",
            "PublicReport",
            "public_report",
            (
                _f("channel", "enum"),
                _f("received_on", "day", "month"),
                _f("anonymous", "bool"),
                _f("reporter_name", "text", "name"),
                _f("reporter_contact", "text", "phone"),
                _f("category"),
                _f("content"),
            ),
            links=("id", "owner"),
        ),
    )
}
PUBLIC = {"enterprise": frozenset({"id", "uscc", "name"})}
# The lists an enterprise links to, by record type.
CHILD_LISTS = {
    "dangerous_chemical_entries": "dangerous_chemical_entry",
    "credit_ratings": "credit_rating",
    "risks": "risk",
}
ROOT_LISTS = {
    "enterprises": "enterprise",
    "dangerous_chemical_entries": "dangerous_chemical_entry",
    "credit_ratings": "credit_rating",
    "risks": "risk",
    "referrals": "referral",
    "public_reports": "public_report",
}
# The lists a referral holds: link -> (record type, how its rows are found).
REFERRAL_LISTS = {
    "attachments": "referral_attachment",
    "referred_risks": "risk",
    "referred_credit_ratings": "credit_rating",
}
# Referrals in hand: their evidence, report and referred records are disclosed.
IN_HAND = frozenset({"sent", "accepted", "handled"})
REFERABLE = frozenset({"risk", "lifecycle_event", "credit_rating"})


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
    # (referral id, record type, record id): what each referral refers to by reference
    referred: list[tuple[int, str, int]] = field(default_factory=list)

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(rows)} {t}" for t, rows in self.records.items())
        return f"Rows({counts})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints it
        printer.text(repr(self))

    def enterprise(self, enterprise_id: int) -> dict[str, Any]:
        return next(e for e in self.records["enterprise"] if e["id"] == enterprise_id)

    def referral(self, referral_id: int) -> dict[str, Any]:
        return next(r for r in self.records["referral"] if r["id"] == referral_id)


def _select(record_type: str, columns: str) -> str:
    if record_type == "referral_attachment":
        # The content as the blob table holds it (the property test keeps files there).
        return (
            "SELECT a.id, a.enterprise_id, a.owner_department_id, a.referral_id, a.name,"
            " a.media_type, a.size_bytes, a.sha256, b.content FROM referral_attachment a"
            " LEFT JOIN attachment_blob b ON b.sha256 = a.sha256 ORDER BY a.id"
        )
    return f"SELECT {columns} FROM {TYPES[record_type].table} ORDER BY id"  # noqa: S608 - constants


_COLUMNS = {
    "enterprise": "id, uscc, name, owner_department_id, zone, address, legal_representative,"
    " contact_phone, industry, registered_on, status, status_since",
    "dangerous_chemical_entry": "id, enterprise_id, owner_department_id, declaration_number,"
    " chemical_name, cas_number, un_number, hazard_class, packing_group, quantity, unit, port,"
    " entry_date, storage_location, declared_value, consignee",
    "credit_rating": "id, enterprise_id, owner_department_id, scheme, rule_set, grade, score,"
    " reasons, effective_on, expires_on",
    "risk": "id, enterprise_id, owner_department_id, category, description, level, found_on,"
    " rectification_deadline, status, closed_on, supervising_department_id, evidence",
    "referral": "id, enterprise_id, owner_department_id, receiver_department_id, report_id,"
    " category, description, legal_basis, sent_on, feedback_deadline, status, accepted_on,"
    " returned_on, return_reason, handled_on, feedback, penalty_decision, withdrawn_on",
    "referral_attachment": "id, enterprise_id, owner_department_id, referral_id, name,"
    " media_type, size_bytes, sha256",
    "public_report": "id, enterprise_id, owner_department_id, channel, received_on, anonymous,"
    " reporter_name, reporter_contact, category, content",
}


async def read_rows(session: AsyncSession) -> Rows:
    departments = {
        int(i): str(code)
        for i, code in await session.execute(text("SELECT id, code FROM department"))
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for record_type, columns in _COLUMNS.items():
        result = await session.execute(text(_select(record_type, columns)))
        rows = []
        for raw in result.mappings():
            row = dict(raw)
            row["owner"] = departments[row.pop("owner_department_id")]
            if "supervising_department_id" in row:
                row["supervising_department"] = departments[row.pop("supervising_department_id")]
            if "receiver_department_id" in row:
                row["receiver"] = departments[row.pop("receiver_department_id")]
            if record_type == "risk":
                deadline = as_date(row["rectification_deadline"])
                row["overdue"] = row["status"] != "closed" and deadline < dt.date.today()
            if record_type == "referral":
                deadline = as_date(row["feedback_deadline"])
                awaiting = row["status"] in {"sent", "accepted"}
                row["overdue"] = awaiting and deadline < dt.date.today()
            if record_type == "referral_attachment" and row["content"] is not None:
                row["content"] = base64.b64encode(bytes(row["content"])).decode()
            rows.append(row)
        records[record_type] = rows
    referred = [
        (int(a), str(b), int(c))
        for a, b, c in await session.execute(
            text("SELECT referral_id, record_type, record_id FROM referred_record ORDER BY id")
        )
    ]
    return Rows(departments, records, referred)


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
        names = {f.name: f.graphql for f in TYPES[self.record_type].governed}
        parts = [names.get(f, camel(f)) for f in self.fields]
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
    parties: int  # others' records shown to the caller as a party (whole, without a grant)
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
    ) -> None:
        self.rows = rows
        self.caller = caller
        self.purpose = purpose
        self.now = now
        self._shared = {FULL: 0, MASKED: 0}
        self._parties = 0
        self.grants = [
            (agreement, g)
            for agreement in agreements
            for g in agreement["grants"]
            if caller in g["consumers"]
        ]

    # Which grants apply -------------------------------------------------------------------

    def _in_force(self, agreement: Mapping[str, Any]) -> bool:
        return agreement.get("status", "active") == "active" and as_moment(
            agreement["valid_from"]
        ) <= self.now < as_moment(agreement["valid_until"])

    @staticmethod
    def _purposes(agreement: Mapping[str, Any], grant: Mapping[str, Any]) -> set[str]:
        return set(grant.get("purposes", agreement["purposes"]))

    @staticmethod
    def _in_scope(grant: Mapping[str, Any], enterprise: Mapping[str, Any] | None) -> bool:
        scope = grant.get("scope") or {}
        if enterprise is None:  # a record of no enterprise: only an unscoped grant
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
        if record["enterprise_id"] is None:
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

    def _in_hand_for_caller(self, referral_id: int | None) -> bool:
        if referral_id is None:
            return False
        referral = self.rows.referral(referral_id)
        return referral["receiver"] == self.caller and referral["status"] in IN_HAND

    def party(self, record_type: str, record: Mapping[str, Any]) -> bool:
        """The caller holds a part in another department's record: it sees it whole."""
        if record["owner"] == self.caller:
            return False
        if record_type == "referral":
            return bool(record["receiver"] == self.caller)
        if record_type == "referral_attachment":
            return self._in_hand_for_caller(record["referral_id"])
        if record_type == "public_report":
            return any(
                r["report_id"] == record["id"] and self._in_hand_for_caller(r["id"])
                for r in self.rows.records["referral"]
            )
        if record_type in REFERABLE:
            return any(
                kind == record_type
                and record_id == record["id"]
                and self.rows.referral(referral_id)["owner"] == record["owner"]
                and self._in_hand_for_caller(referral_id)
                for referral_id, kind, record_id in self.rows.referred
            )
        return False

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
                    if f.kind in {"bool", "department"} or record[f.name] is None:
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
        self._parties = 0
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
            parties=self._parties,
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
        if record_type != "enterprise" and self.party(record_type, record):
            self._parties += 1
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
            if link == "enterprise":
                if record["enterprise_id"] is None:
                    out["enterprise"] = None
                    continue
                enterprise = self.rows.enterprise(record["enterprise_id"])
                out["enterprise"] = self._render(child, enterprise, (*site, "enterprise"), withheld)
            else:
                out[camel(link)] = [
                    self._render(child, r, (*site, camel(link)), withheld)
                    for r in self._children(record_type, record, link, child.record_type)
                    if self.visible(child.record_type, r)
                ]
        return out

    def _children(
        self, record_type: str, record: Mapping[str, Any], link: str, child_type: str
    ) -> list[dict[str, Any]]:
        """The rows a parent's list holds, before the caller's visibility: an enterprise's
        records, a referral's attachments (by referral) and referred records (by id)."""
        rows = self.rows.records[child_type]
        if record_type == "enterprise":
            return [r for r in rows if r["enterprise_id"] == record["id"]]
        if link == "attachments":
            return [r for r in rows if r["referral_id"] == record["id"]]
        ids = {
            i
            for referral, kind, i in self.rows.referred
            if referral == record["id"] and kind == child_type
        }
        return [r for r in rows if r["id"] in ids]
