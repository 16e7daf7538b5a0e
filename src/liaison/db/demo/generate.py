"""Deterministic demo data: the five departments, enterprises, and every record shared about them.

One seed gives one database. ``random.Random(seed)`` draws every value in a fixed order and
this module assigns every primary key itself, so child rows point at their parents without
round trips and two runs with the same seed write identical tables. Rows go in chunks of
enterprises through Core ``insert`` executemany: memory stays flat however many are asked for.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from liaison.codes import USCC_ALPHABET, uscc_check_character
from liaison.db.demo import names
from liaison.db.demo.chemicals import CHEMICALS, Chemical
from liaison.db.demo.names import Weighted, draw, one_of
from liaison.db.demo.workflows import WORKFLOW_DEMOS, DemoContext
from liaison.db.models import Base, RiskLevel, SafetyGradeScheme
from liaison.db.models import LifecycleKind as L
from liaison.db.models import RiskStatus as S
from liaison.db.rules import CUSTOMS_CREDIT, RULE_SETS, RuleSet

DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("customs", "Yangshan Customs (free-trade area)", "customs"),
    (
        "emergency",
        "Free-Trade Area Law-Enforcement and Emergency Management Bureau",
        "emergency_management",
    ),
    ("market", "Market Supervision Administration (enterprise registry)", "market_supervision"),
    ("park", "Lingang Chemical Park Management Committee", "park_committee"),
    ("ecology", "Ecology and Environment Bureau", "ecology_environment"),
)
ZONES: tuple[str, ...] = tuple(place.zone for place in names.PLACES)

DEFAULT_TODAY = dt.date(2026, 11, 23)
CHUNK_SIZE = 2_000
# Organisation codes are permutations of range(10**8): beyond that USCCs would repeat.
MAX_ENTERPRISES = 10**8
FIRST_REGISTRATION = dt.date(2005, 1, 1)
LAST_REGISTRATION = dt.date(2026, 12, 31)

Row = dict[str, Any]

# Parents first: foreign keys are checked row by row on both databases.
TABLES = (
    "enterprise",
    "lifecycle_event",
    "dangerous_chemical_entry",
    "credit_rating",
    "risk",
    "safety_grade",
    "standardization_certificate",
)
_DEPARTMENT_IDS = {code: number for number, (code, _, _) in enumerate(DEPARTMENTS, start=1)}
CUSTOMS = _DEPARTMENT_IDS["customs"]
EMERGENCY = _DEPARTMENT_IDS["emergency"]
MARKET = _DEPARTMENT_IDS["market"]
PARK = _DEPARTMENT_IDS["park"]
ECOLOGY = _DEPARTMENT_IDS["ecology"]


class DemoError(RuntimeError):
    """The demo cannot be written as asked."""


@dataclass(frozen=True)
class DemoSummary:
    departments: int
    enterprises: int
    lifecycle_events: int
    dangerous_chemical_entries: int
    credit_ratings: int
    risks: int
    safety_grades: int
    standardization_certificates: int
    joint_work: dict[str, int] = field(default_factory=dict)  # by table, see demo.workflows


async def populate(
    engine: AsyncEngine, *, enterprises: int, seed: int = 2026, today: dt.date | None = None
) -> DemoSummary:
    """Fill an empty, migrated database with ``enterprises`` enterprises and their records,
    in one transaction. The same seed and ``today`` always write the same rows."""
    today = DEFAULT_TODAY if today is None else today
    if not 0 <= enterprises <= MAX_ENTERPRISES:
        raise DemoError(f"enterprises must be between 0 and {MAX_ENTERPRISES}, not {enterprises}")
    if today < FIRST_REGISTRATION:
        raise DemoError(f"today ({today}) precedes the first registration ({FIRST_REGISTRATION})")
    generator = _Generator(random.Random(seed), today)
    counts = dict.fromkeys(TABLES, 0)
    async with engine.begin() as connection:
        await _refuse_populated(connection)
        await _insert(connection, "department", _department_rows())
        for start in range(0, enterprises, CHUNK_SIZE):
            chunk = generator.chunk(range(start, min(start + CHUNK_SIZE, enterprises)))
            for name in TABLES:
                await _insert(connection, name, chunk[name])
                counts[name] += len(chunk[name])
        if connection.dialect.name == "postgresql":
            await _reset_sequences(connection, ("department", *TABLES))
        joint_work: dict[str, int] = {}
        for workflow in WORKFLOW_DEMOS:
            written = await workflow(DemoContext(connection, seed, today, enterprises))
            joint_work.update(written)
    return DemoSummary(
        departments=len(DEPARTMENTS),
        enterprises=counts["enterprise"],
        lifecycle_events=counts["lifecycle_event"],
        dangerous_chemical_entries=counts["dangerous_chemical_entry"],
        credit_ratings=counts["credit_rating"],
        risks=counts["risk"],
        safety_grades=counts["safety_grade"],
        standardization_certificates=counts["standardization_certificate"],
        joint_work=joint_work,
    )


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def _refuse_populated(connection: AsyncConnection) -> None:
    found = await connection.scalar(select(func.count()).select_from(_table("department")))
    if found:
        raise DemoError(
            f"the database already holds {found} departments: the demo goes only into an "
            "empty, freshly migrated database"
        )


async def _insert(connection: AsyncConnection, name: str, rows: list[Row]) -> None:
    if rows:
        await connection.execute(insert(_table(name)), rows)


async def _reset_sequences(connection: AsyncConnection, tables: tuple[str, ...]) -> None:
    # Explicit ids leave the serial sequences at 1: the application's next insert would
    # collide. pg_get_serial_sequence takes the table name as SQL text, quoted if need be.
    quote = connection.dialect.identifier_preparer.format_table
    for name in tables:
        table = _table(name)
        highest = select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(quote(table), "id")
        await connection.execute(select(func.setval(sequence, highest + 1, False)))


def _department_rows() -> list[Row]:
    return [
        {"id": _DEPARTMENT_IDS[code], "code": code, "name": name, "kind": kind}
        for code, name, kind in DEPARTMENTS
    ]


# --- codes ---------------------------------------------------------------------------------


def permute(value: int, modulus: int, key: int) -> int:
    """A keyed bijection of ``range(modulus)``: distinct serials give distinct codes that do
    not look sequential. A four-round Feistel network on the next even bit width, walked
    until it lands back in range."""
    half = max(1, ((modulus - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    while True:
        left, right = value >> half, value & mask
        for round_number in range(4):
            mixed = (right * 0x9E3779B1 + key + round_number * 0x85EBCA6B) & 0xFFFFFFFF
            left, right = right, left ^ ((mixed ^ (mixed >> 15)) * 0x2C1B3C6D & mask)
        value = (left << half) | right
        if value < modulus:
            return value


_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Codes issued after the 2015 three-certificates-in-one reform start with MA and use the
# USCC alphabet; older ones are the enterprise's eight-digit organisation code.
REFORM = dt.date(2015, 10, 1)
_MA_SPACE = len(USCC_ALPHABET) ** 6
_LEGACY_SPACE = 10**8


def organisation_code(body: str) -> str:
    """GB 11714-1997: eight characters and a check character (digits, or X for ten)."""
    total = sum(
        int(char, 36) * weight for char, weight in zip(body, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = (11 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def _ma_body(number: int) -> str:
    letters = []
    for _ in range(6):
        number, digit = divmod(number, len(USCC_ALPHABET))
        letters.append(USCC_ALPHABET[digit])
    return "MA" + "".join(letters)


# --- dates ---------------------------------------------------------------------------------

_YEAR = 365


def _days(day: dt.date, count: int) -> dt.date:
    return day + dt.timedelta(days=count)


# --- lifecycle -----------------------------------------------------------------------------

# Where an enterprise goes next; None leaves it where it is. Only LIFECYCLE_TRANSITIONS.
NEXT_KIND: dict[str, Weighted[str | None]] = {
    L.REGISTERED: Weighted(
        ((L.UNDER_CONSTRUCTION, 0.80), (L.IN_OPERATION, 0.12), (L.CANCELLED, 0.04), (None, 0.04))
    ),
    L.UNDER_CONSTRUCTION: Weighted(
        ((L.PILOT_PRODUCTION, 0.85), (L.SUSPENDED, 0.05), (L.CANCELLED, 0.03), (None, 0.07))
    ),
    L.PILOT_PRODUCTION: Weighted(
        ((L.IN_OPERATION, 0.90), (L.SUSPENDED, 0.05), (L.CANCELLED, 0.03), (None, 0.02))
    ),
    L.IN_OPERATION: Weighted(
        ((None, 0.86), (L.SUSPENDED, 0.07), (L.RELOCATED, 0.03), (L.CANCELLED, 0.04))
    ),
    L.SUSPENDED: Weighted(
        (
            (L.IN_OPERATION, 0.40),
            (L.UNDER_CONSTRUCTION, 0.08),
            (L.PILOT_PRODUCTION, 0.04),
            (L.RELOCATED, 0.10),
            (L.CANCELLED, 0.25),
            (None, 0.13),
        )
    ),
    L.RELOCATED: Weighted(((L.CANCELLED, 0.35), (None, 0.65))),
}
# Days from the previous event: construction takes years, a registry step weeks.
_GAP_DAYS: dict[str, tuple[int, int]] = {
    L.UNDER_CONSTRUCTION: (60, 540),
    L.PILOT_PRODUCTION: (365, 1100),
    L.IN_OPERATION: (30, 365),
    L.SUSPENDED: (90, 2000),
    L.RELOCATED: (180, 2500),
    L.CANCELLED: (90, 1500),
}
_RESUME_GAP_DAYS = (60, 720)
_PILOT_DAYS = (180, 365)  # pilot production runs for up to a year
_MAX_EVENTS = 9
# Market supervision keeps the register; the park committee approves what happens on site.
_EVENT_OWNER: dict[str, int] = {
    L.REGISTERED: MARKET,
    L.UNDER_CONSTRUCTION: PARK,
    L.PILOT_PRODUCTION: PARK,
    L.IN_OPERATION: PARK,
    L.SUSPENDED: PARK,
    L.RELOCATED: PARK,
    L.CANCELLED: MARKET,
}
_DOCUMENT_TAG: dict[str, str] = {
    L.REGISTERED: "沪市监注",
    L.UNDER_CONSTRUCTION: "临港化管建",
    L.PILOT_PRODUCTION: "临港化管试",
    L.IN_OPERATION: "临港化管投",
    L.SUSPENDED: "临港化管停",
    L.RELOCATED: "临港化管迁",
    L.CANCELLED: "沪市监销",
}
_EVENT_NOTES: dict[str, tuple[str, ...]] = {
    L.SUSPENDED: names.SUSPENSION_NOTES,
    L.RELOCATED: names.RELOCATION_NOTES,
    L.CANCELLED: names.CANCELLATION_NOTES,
}
_LEAVING = frozenset({L.RELOCATED, L.CANCELLED})
_PRODUCING = frozenset({L.PILOT_PRODUCTION, L.IN_OPERATION})


# --- imports -------------------------------------------------------------------------------

_ENTRY_SHARE = 0.9  # of enterprises that have produced within the last three years
_ENTRY_COUNTS: Weighted[int] = Weighted(((1, 0.30), (2, 0.25), (3, 0.20), (4, 0.15), (5, 0.10)))
_ENTRY_YEARS = 3
# Declaration numbers open with the four-digit code of the customs office declared at;
# these codes are illustrative.
_SEA_PORTS: Weighted[tuple[str, str]] = Weighted(
    (
        (("Yangshan Deep-Water Port", "2248"), 0.45),
        (("Waigaoqiao Port", "2225"), 0.33),
        (("Wusong Port", "2202"), 0.12),
        (("Luojing Port", "2207"), 0.10),
    )
)
_AIRPORT = ("Pudong International Airport", "2233")
_AIR_UNITS = frozenset({"kg", "L"})
# Per unit: plausible quantity per declaration and price in CNY per unit.
_QUANTITY = {"t": (5, 3000), "kg": (20, 20000), "L": (200, 40000), "m3": (500, 50000)}
_PRICE = {"t": (1500, 30000), "kg": (8, 400), "L": (6, 80), "m3": (2, 8)}
_CENT = Decimal("0.01")
_BONDED_PLACES = tuple(place for place in names.PLACES if place.bonded)


# --- ratings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grading:
    shares: tuple[float, ...]  # cumulative share at or above each grade, best first
    adverse_from: int  # index of the first grade that needs a reason


GRADINGS: dict[str, Grading] = {
    "customs-2018": Grading((0.05, 0.25, 0.97, 1.0), 3),
    "customs-2021": Grading((0.08, 0.97, 1.0), 2),
    "customs-2026": Grading((0.05, 0.25, 0.975, 0.995, 1.0), 3),
    "market-2022": Grading((0.30, 0.85, 0.97, 1.0), 2),
    "work-safety-2020": Grading((0.35, 0.93, 0.99, 1.0), 2),
}
CUSTOMS_RULE_SETS = tuple(
    sorted(
        (rules for rules in RULE_SETS.values() if rules.scheme == CUSTOMS_CREDIT),
        key=lambda rules: rules.in_force_from,
    )
)
_ISSUER = {"customs": CUSTOMS, "market_supervision": MARKET, "emergency_management": EMERGENCY}
_RATED_IMPORTER_COUNTS: Weighted[int] = Weighted(((1, 0.5), (2, 0.35), (3, 0.15)))
_OTHER_CUSTOMS_SHARE = 0.25
_MARKET_SHARE = 0.35
_WORK_SAFETY_SHARE = 0.30
# Work-safety blacklisting lasts one year, three for the serious list.
_WORK_SAFETY_LISTING_DAYS = {"untrustworthy": _YEAR, "seriously_untrustworthy": 3 * _YEAR}
_STANDING_NOISE = 0.04
_YEARLY_GAP_DAYS = (330, 400)
_CUSTOMS_GAP_DAYS = (365, 1100)
_WORK_SAFETY_GAP_DAYS = (365, 900)


# --- risks, grades, certificates -----------------------------------------------------------

_RISK_COUNTS: Weighted[int] = Weighted(((0, 0.45), (1, 0.25), (2, 0.15), (3, 0.09), (4, 0.06)))
_RISK_OWNERS: Weighted[int] = Weighted(((EMERGENCY, 0.70), (PARK, 0.20), (ECOLOGY, 0.10)))
_RISK_YEARS = 3
_MAJOR_SHARE = 0.08
_DEADLINE_DAYS = {RiskLevel.GENERAL: (7, 60), RiskLevel.MAJOR: (30, 180)}
_OPEN_STATUSES: Weighted[str] = Weighted(
    ((S.REPORTED, 0.30), (S.RECTIFYING, 0.45), (S.PENDING_ACCEPTANCE, 0.15), (S.CLOSED, 0.10))
)
_OVERDUE_STATUSES: Weighted[str] = Weighted(
    ((S.REPORTED, 0.15), (S.RECTIFYING, 0.60), (S.PENDING_ACCEPTANCE, 0.25))
)
_OVERDUE_SHARE = 0.12  # of risks whose deadline has passed
_LATE_CLOSING_DAYS = 20
_EVIDENCE_SHARE = 0.4

_SUPERVISION_SHARE = 0.65
_PARK_RISK_SHARE = 0.30
_SUPERVISION_SHARES = (0.20, 0.70, 0.95, 1.0)  # A is best managed
_PARK_RISK_SHARES = (0.05, 0.25, 0.70, 1.0)  # A is highest risk
_GRADE_LETTERS = ("A", "B", "C", "D")
_GRADE_YEARS = 4

_CERTIFICATE_SHARE = 0.75  # of producing enterprises: about half of all
_CERTIFICATE_LEVELS: Weighted[int] = Weighted(((3, 0.75), (2, 0.22), (1, 0.03)))
_CERTIFICATE_YEARS = 3
_CERTIFICATE_HISTORY_YEARS = 6
_RENEWAL_SHARE = 0.7
_ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ"}


@dataclass(frozen=True, slots=True)
class _Enterprise:
    id: int
    name: str
    place: names.Place
    industry: str
    registered_on: dt.date
    active_until: dt.date  # the day it was relocated out or cancelled, else today
    # First day of pilot production or operation: before it there are no imports to
    # declare, nothing to grade and no standardised operation to certify.
    producing_since: dt.date | None
    standing: float  # 0 best .. 1 worst: one enterprise's grades and risks agree


@dataclass(frozen=True, slots=True)
class _Ledger:
    status: str
    status_since: dt.date
    active_until: dt.date
    producing_since: dt.date | None


@dataclass
class _Ids:
    last: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    def take(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


class _Generator:
    """Draws enterprises one after another from one random generator, in a fixed order."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.ids = _Ids()
        self.rows: dict[str, list[Row]] = {}
        self.last_registration = min(LAST_REGISTRATION, today)
        # Keys for the code permutations: another seed gives other codes.
        self.name_key = rng.getrandbits(32)
        self.organisation_key = rng.getrandbits(32)
        self.declaration_key = rng.getrandbits(32)

    def chunk(self, indices: range) -> dict[str, list[Row]]:
        self.rows = {name: [] for name in TABLES}
        for index in indices:
            self._enterprise(index)
        return self.rows

    # helpers

    def _add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        span = last.toordinal() - first.toordinal() + 1
        return dt.date.fromordinal(first.toordinal() + int(self.rng.random() * span))

    def _position(self, standing: float) -> float:
        return min(max(standing + self.rng.gauss(0.0, _STANDING_NOISE), 0.0), 0.999999)

    def _recent_dates(
        self, count: int, first: dt.date, last: dt.date, gap: tuple[int, int]
    ) -> list[dt.date]:
        """Up to ``count`` dates in [first, last], ``gap`` days apart, the latest recent:
        whoever is rated or graded has a current rating or grade."""
        if first > last:
            return []
        day = self._day(max(first, _days(last, -gap[1])), last)
        dates = [day]
        while len(dates) < count:
            day = _days(day, -draw(self.rng, *gap))
            if day < first:
                break
            dates.append(day)
        return dates[::-1]

    def _recorded_at(self, day: dt.date) -> dt.datetime:
        # Entered within a few working days, in office hours (Beijing time, stored as UTC).
        recorded = min(_days(day, draw(self.rng, 0, 3)), self.today)
        moment = dt.time(draw(self.rng, 1, 8), draw(self.rng, 0, 59), tzinfo=dt.UTC)
        return dt.datetime.combine(recorded, moment)

    # enterprise

    def _enterprise(self, index: int) -> None:
        rng = self.rng
        place = names.ZONE_WEIGHTS.pick(rng)
        industries = names.BONDED_INDUSTRY_WEIGHTS if place.bonded else names.INDUSTRY_WEIGHTS
        industry = industries.pick(rng)
        registered_on = self._day(FIRST_REGISTRATION, self.last_registration)
        enterprise_id = self.ids.take("enterprise")
        row: Row = {
            "id": enterprise_id,
            "owner_department_id": MARKET,
            "uscc": self._uscc(index, place, registered_on),
            # Unique for the first NAME_CAPACITY (345,600) enterprises, then they repeat.
            "name": names.company_name(
                permute(index % names.NAME_CAPACITY, names.NAME_CAPACITY, self.name_key), industry
            ),
            "zone": place.zone,
            "address": names.street_address(rng, place),
            "legal_representative": names.person_name(rng),
            "contact_phone": names.mobile_phone(rng),
            "industry": industry,
            "registered_on": registered_on,
        }
        self._add("enterprise", row)
        ledger = self._ledger(enterprise_id, industry, registered_on)
        row["status"], row["status_since"] = ledger.status, ledger.status_since
        enterprise = _Enterprise(
            enterprise_id,
            row["name"],
            place,
            industry,
            registered_on,
            ledger.active_until,
            ledger.producing_since,
            standing=rng.random(),
        )
        imports = self._entries(enterprise)
        self._customs_ratings(enterprise, imported=imports > 0)
        self._market_ratings(enterprise)
        self._work_safety_ratings(enterprise)
        self._risks(enterprise)
        self._safety_grades(enterprise)
        self._certificates(enterprise)

    def _uscc(self, index: int, place: names.Place, registered_on: dt.date) -> str:
        # Registration authority 9 (market supervision), category 1 (enterprise). The two
        # organisation-code families cannot meet, and each is a permutation of the index.
        if registered_on >= REFORM:
            body = _ma_body(permute(index, _MA_SPACE, self.organisation_key))
        else:
            body = f"{permute(index, _LEGACY_SPACE, self.organisation_key):08d}"
        first17 = f"91{place.division}{organisation_code(body)}"
        return first17 + uscc_check_character(first17)

    # lifecycle ledger

    def _ledger(self, enterprise_id: int, industry: str, registered_on: dt.date) -> _Ledger:
        """Writes the events of one enterprise, each a transition the rules allow."""
        rng = self.rng
        kind, day, pilot_ends = L.REGISTERED.value, registered_on, None
        left_on: dt.date | None = None
        producing_since: dt.date | None = None
        self._event(enterprise_id, industry, kind, day, None)
        for _ in range(_MAX_EVENTS - 1):
            following = NEXT_KIND[kind].pick(rng) if kind in NEXT_KIND else None
            if following is None:
                break
            next_day = self._next_event_day(kind, following, day, pilot_ends)
            if next_day > self.today:
                break
            kind, day = str(following), next_day
            pilot_ends = (
                _days(day, draw(self.rng, *_PILOT_DAYS)) if kind == L.PILOT_PRODUCTION else None
            )
            self._event(enterprise_id, industry, kind, day, pilot_ends)
            if left_on is None and kind in _LEAVING:
                left_on = day
            if producing_since is None and kind in _PRODUCING:
                producing_since = day
        return _Ledger(kind, day, self.today if left_on is None else left_on, producing_since)

    def _next_event_day(
        self, kind: str, following: str, day: dt.date, pilot_ends: dt.date | None
    ) -> dt.date:
        if pilot_ends is not None and following == L.IN_OPERATION:
            # Formal operation starts around the end of the pilot run, never before it began.
            return max(_days(pilot_ends, draw(self.rng, -15, 30)), _days(day, 1))
        bounds = _RESUME_GAP_DAYS if kind == L.SUSPENDED else _GAP_DAYS[following]
        return _days(day, draw(self.rng, *bounds))

    def _event(
        self,
        enterprise_id: int,
        industry: str,
        kind: str,
        day: dt.date,
        pilot_ends: dt.date | None,
    ) -> None:
        rng = self.rng
        event_id = self.ids.take("lifecycle_event")
        producing = kind in _PRODUCING
        products = names.PRODUCTS[industry]
        notes = _EVENT_NOTES.get(kind)
        self._add(
            "lifecycle_event",
            {
                "id": event_id,
                "owner_department_id": _EVENT_OWNER[kind],
                "enterprise_id": enterprise_id,
                "kind": str(kind),
                "effective_on": day,
                "pilot_production_ends_on": pilot_ends,
                "document_number": f"{_DOCUMENT_TAG[kind]}〔{day.year}〕{event_id:06d}号",
                "products": (
                    "、".join(rng.sample(products, draw(rng, 1, 3))) if producing else None
                ),
                "note": one_of(rng, notes) if notes else None,
                "recorded_at": self._recorded_at(day),
            },
        )

    # dangerous chemicals

    def _entries(self, enterprise: _Enterprise) -> int:
        rng = self.rng
        if enterprise.producing_since is None or rng.random() >= _ENTRY_SHARE:
            return 0
        first = max(_days(self.today, -_ENTRY_YEARS * _YEAR), enterprise.producing_since)
        if first > enterprise.active_until:
            return 0
        chemicals = rng.sample(CHEMICALS, _ENTRY_COUNTS.pick(rng))
        for chemical in chemicals:
            self._entry(enterprise, chemical, self._day(first, enterprise.active_until))
        return len(chemicals)

    def _entry(self, enterprise: _Enterprise, chemical: Chemical, day: dt.date) -> None:
        rng = self.rng
        entry_id = self.ids.take("dangerous_chemical_entry")
        by_air = chemical.unit in _AIR_UNITS and rng.random() < 0.15
        port, office = _AIRPORT if by_air else _SEA_PORTS.pick(rng)
        low, high = _QUANTITY[chemical.unit]
        quantity = Decimal(draw(rng, low * 1000, high * 1000)).scaleb(-3)
        low, high = _PRICE[chemical.unit]
        price = Decimal(draw(rng, low * 100, high * 100)).scaleb(-2)
        serial = permute(entry_id - 1, 10**9, self.declaration_key)
        # Warehousing firms store at home; others often leave goods in a bonded warehouse.
        home = enterprise.industry == names.INDUSTRIES[-1] or rng.random() < 0.5
        store = enterprise.place if home else one_of(rng, _BONDED_PLACES)
        self._add(
            "dangerous_chemical_entry",
            {
                "id": entry_id,
                "owner_department_id": CUSTOMS,
                "enterprise_id": enterprise.id,
                # Customs office, year, 1 for import, then a nine-digit serial.
                "declaration_number": f"{office}{day.year}1{serial:09d}",
                "chemical_name": chemical.name,
                "cas_number": chemical.cas_number,
                "un_number": chemical.un_number,
                "hazard_class": chemical.hazard_class,
                "packing_group": chemical.packing_group,
                "quantity": quantity,
                "unit": chemical.unit,
                "port": port,
                "entry_date": day,
                "storage_location": names.storage_location(rng, store),
                "declared_value": (quantity * price).quantize(_CENT),
                "consignee": enterprise.name,
            },
        )

    # credit ratings

    def _customs_ratings(self, enterprise: _Enterprise, *, imported: bool) -> None:
        if imported:
            count = _RATED_IMPORTER_COUNTS.pick(self.rng)
        elif self.rng.random() < _OTHER_CUSTOMS_SHARE:
            count = 1
        else:
            return
        first = max(CUSTOMS_RULE_SETS[0].in_force_from, enterprise.registered_on)
        for day in self._recent_dates(count, first, enterprise.active_until, _CUSTOMS_GAP_DAYS):
            rules = next((r for r in CUSTOMS_RULE_SETS if r.covers(day)), None)
            if rules is not None:
                self._rating(enterprise, rules, day, expires_on=None)

    def _market_ratings(self, enterprise: _Enterprise) -> None:
        if self.rng.random() >= _MARKET_SHARE:
            return
        rules = RULE_SETS["market-2022"]
        first = max(rules.in_force_from, enterprise.registered_on)
        # Classified yearly: each rating lapses after a year.
        count = draw(self.rng, 1, 3)
        for day in self._recent_dates(count, first, enterprise.active_until, _YEARLY_GAP_DAYS):
            self._rating(enterprise, rules, day, expires_on=_days(day, _YEAR), scored=True)

    def _work_safety_ratings(self, enterprise: _Enterprise) -> None:
        if self.rng.random() >= _WORK_SAFETY_SHARE:
            return
        rules = RULE_SETS["work-safety-2020"]
        first = max(rules.in_force_from, enterprise.registered_on)
        count = draw(self.rng, 1, 2)
        for day in self._recent_dates(count, first, enterprise.active_until, _WORK_SAFETY_GAP_DAYS):
            self._rating(enterprise, rules, day, expires_on=None)

    def _rating(
        self,
        enterprise: _Enterprise,
        rules: RuleSet,
        day: dt.date,
        *,
        expires_on: dt.date | None,
        scored: bool = False,
    ) -> None:
        grading = GRADINGS[rules.code]
        position = self._position(enterprise.standing)
        rank = min(bisect.bisect_right(grading.shares, position), len(rules.grades) - 1)
        grade = rules.grades[rank]
        listing = _WORK_SAFETY_LISTING_DAYS.get(grade)
        if listing is not None:
            expires_on = _days(day, listing)
        self._add(
            "credit_rating",
            {
                "id": self.ids.take("credit_rating"),
                "owner_department_id": _ISSUER[rules.issuer_kind],
                "enterprise_id": enterprise.id,
                "scheme": rules.scheme,
                "rule_set": rules.code,
                "grade": grade,
                "score": Decimal(f"{98 - 55 * position:.2f}") if scored else None,
                "reasons": (
                    one_of(self.rng, names.CREDIT_REASONS) if rank >= grading.adverse_from else None
                ),
                "effective_on": day,
                "expires_on": expires_on,
            },
        )

    # risks

    def _risks(self, enterprise: _Enterprise) -> None:
        first = max(_days(self.today, -_RISK_YEARS * _YEAR), enterprise.registered_on)
        last = min(enterprise.active_until, _days(self.today, -1))
        if first > last:
            return
        # Poorly run enterprises accumulate hidden dangers.
        count = _RISK_COUNTS.pick(self.rng) + (enterprise.standing > 0.85)
        for _ in range(count):
            self._risk(enterprise, self._day(first, last))

    def _risk(self, enterprise: _Enterprise, found_on: dt.date) -> None:
        rng = self.rng
        risk_id = self.ids.take("risk")
        owner = _RISK_OWNERS.pick(rng)
        if owner == ECOLOGY:
            category, supervisor = one_of(rng, names.ENVIRONMENT_CATEGORIES), ECOLOGY
        else:
            category = one_of(rng, names.SAFETY_CATEGORIES)
            supervisor = PARK if owner == PARK and rng.random() < 0.6 else EMERGENCY
        level = RiskLevel.MAJOR if rng.random() < _MAJOR_SHARE else RiskLevel.GENERAL
        deadline = _days(found_on, draw(self.rng, *_DEADLINE_DAYS[level]))
        status, closed_on = self._risk_progress(found_on, deadline)
        evidence = None
        if rng.random() < _EVIDENCE_SHARE:
            evidence = (
                f"inspection record {found_on:%Y%m%d}-{risk_id:07d}, {draw(rng, 1, 9)} photos"
            )
        self._add(
            "risk",
            {
                "id": risk_id,
                "owner_department_id": owner,
                "enterprise_id": enterprise.id,
                "category": category,
                "description": names.risk_description(rng, category),
                "level": level.value,
                "found_on": found_on,
                "rectification_deadline": deadline,
                "status": str(status),
                "closed_on": closed_on,
                "supervising_department_id": supervisor,
                "evidence": evidence,
            },
        )

    def _risk_progress(self, found_on: dt.date, deadline: dt.date) -> tuple[str, dt.date | None]:
        rng = self.rng
        if deadline < self.today:
            status = _OVERDUE_STATUSES.pick(rng) if rng.random() < _OVERDUE_SHARE else S.CLOSED
        else:
            status = _OPEN_STATUSES.pick(rng)
        if status != S.CLOSED:
            return status, None
        # Most close by the deadline; some a little late, none in the future.
        last = min(_days(deadline, _LATE_CLOSING_DAYS), self.today)
        return status, self._day(_days(found_on, 1), last)

    # safety grades

    def _safety_grades(self, enterprise: _Enterprise) -> None:
        rng = self.rng
        if enterprise.producing_since is None:
            return
        first = max(_days(self.today, -_GRADE_YEARS * _YEAR), enterprise.producing_since)
        last = enterprise.active_until
        if rng.random() < _SUPERVISION_SHARE:
            for day in self._recent_dates(draw(rng, 1, 2), first, last, _YEARLY_GAP_DAYS):
                rank = bisect.bisect_right(_SUPERVISION_SHARES, self._position(enterprise.standing))
                self._grade(
                    enterprise, EMERGENCY, SafetyGradeScheme.ENTERPRISE_SUPERVISION, day, rank
                )
        if rng.random() < _PARK_RISK_SHARE:
            for day in self._recent_dates(1, first, last, _YEARLY_GAP_DAYS):
                # The park scheme reads the letters the other way: poor standing, high risk, A.
                position = 1.0 - self._position(enterprise.standing)
                rank = bisect.bisect_right(_PARK_RISK_SHARES, position)
                self._grade(enterprise, PARK, SafetyGradeScheme.PARK_RISK, day, rank)

    def _grade(
        self, enterprise: _Enterprise, owner: int, scheme: str, day: dt.date, rank: int
    ) -> None:
        self._add(
            "safety_grade",
            {
                "id": self.ids.take("safety_grade"),
                "owner_department_id": owner,
                "enterprise_id": enterprise.id,
                "scheme": str(scheme),
                "grade": _GRADE_LETTERS[min(rank, len(_GRADE_LETTERS) - 1)],
                "assessed_on": day,
                "valid_until": _days(day, _YEAR),
            },
        )

    # standardization certificates

    def _certificates(self, enterprise: _Enterprise) -> None:
        rng = self.rng
        if enterprise.producing_since is None or rng.random() >= _CERTIFICATE_SHARE:
            return
        # Certification follows an audit of at least some months of standardised operation.
        first = max(
            _days(enterprise.producing_since, 180),
            _days(self.today, -_CERTIFICATE_HISTORY_YEARS * _YEAR),
        )
        if first > enterprise.active_until:
            return
        issued_on = self._day(first, enterprise.active_until)
        level = _CERTIFICATE_LEVELS.pick(rng)
        while True:
            valid_until = _days(issued_on, _CERTIFICATE_YEARS * _YEAR - 1)
            self._certificate(enterprise, level, issued_on, valid_until)
            # Renewal is applied for shortly before the old certificate lapses.
            renewal = _days(valid_until, -draw(rng, 0, 60))
            if renewal > enterprise.active_until or rng.random() >= _RENEWAL_SHARE:
                return
            issued_on = renewal

    def _certificate(
        self, enterprise: _Enterprise, level: int, issued_on: dt.date, valid_until: dt.date
    ) -> None:
        certificate_id = self.ids.take("standardization_certificate")
        # Level 1 is issued nationally, levels 2 and 3 by Shanghai (沪).
        issuer = "" if level == 1 else "沪"
        self._add(
            "standardization_certificate",
            {
                "id": certificate_id,
                "owner_department_id": EMERGENCY,
                "enterprise_id": enterprise.id,
                "level": level,
                "certificate_number": (
                    f"{issuer}AQBWH{_ROMAN[level]}{issued_on.year}{certificate_id:06d}"
                ),
                "issued_on": issued_on,
                "valid_until": valid_until,
            },
        )
