"""Domain rules the records must keep: rating rule sets, lifecycle and rectification
transitions, and which kind of department writes which record type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison.db.models import LifecycleKind as L
from liaison.db.models import RiskStatus as S


@dataclass(frozen=True)
class RuleSet:
    code: str
    scheme: str
    issuer_kind: str
    grades: tuple[str, ...]  # best first
    in_force_from: dt.date
    in_force_until: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.in_force_from <= day and (
            self.in_force_until is None or day < self.in_force_until
        )


CUSTOMS_CREDIT = "customs_enterprise_credit"
MARKET_CREDIT_RISK = "market_credit_risk"
WORK_SAFETY_CREDIT = "work_safety_credit"

RULE_SETS: dict[str, RuleSet] = {
    r.code: r
    for r in (
        RuleSet(
            "customs-2018",
            CUSTOMS_CREDIT,
            "customs",
            ("advanced_certified", "general_certified", "general_credit", "dishonest"),
            dt.date(2018, 5, 1),
            dt.date(2021, 11, 1),
        ),
        RuleSet(
            "customs-2021",
            CUSTOMS_CREDIT,
            "customs",
            ("advanced_certified", "registered", "dishonest"),
            dt.date(2021, 11, 1),
            dt.date(2026, 1, 1),
        ),
        RuleSet(
            "customs-2026",
            CUSTOMS_CREDIT,
            "customs",
            ("advanced_certified", "certified", "routine", "dishonest", "seriously_dishonest"),
            dt.date(2026, 1, 1),
        ),
        RuleSet(
            "market-2022",
            MARKET_CREDIT_RISK,
            "market_supervision",
            ("A", "B", "C", "D"),
            dt.date(2022, 1, 1),
        ),
        RuleSet(
            "work-safety-2020",
            WORK_SAFETY_CREDIT,
            "emergency_management",
            ("trustworthy", "general", "untrustworthy", "seriously_untrustworthy"),
            dt.date(2020, 1, 1),
        ),
    )
}

LIFECYCLE_TRANSITIONS: dict[str, frozenset[str]] = {
    L.REGISTERED: frozenset({L.UNDER_CONSTRUCTION, L.IN_OPERATION, L.CANCELLED}),
    L.UNDER_CONSTRUCTION: frozenset({L.PILOT_PRODUCTION, L.SUSPENDED, L.CANCELLED}),
    L.PILOT_PRODUCTION: frozenset({L.IN_OPERATION, L.SUSPENDED, L.CANCELLED}),
    L.IN_OPERATION: frozenset({L.SUSPENDED, L.RELOCATED, L.CANCELLED}),
    L.SUSPENDED: frozenset(
        {L.UNDER_CONSTRUCTION, L.PILOT_PRODUCTION, L.IN_OPERATION, L.RELOCATED, L.CANCELLED}
    ),
    L.RELOCATED: frozenset({L.CANCELLED}),
    L.CANCELLED: frozenset(),
}

RISK_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REPORTED: frozenset({S.RECTIFYING}),
    S.RECTIFYING: frozenset({S.PENDING_ACCEPTANCE}),
    # Acceptance can fail and send the work back.
    S.PENDING_ACCEPTANCE: frozenset({S.CLOSED, S.RECTIFYING}),
    S.CLOSED: frozenset(),
}

# Which kinds of department keep which records. Any contributor reports risks.
WRITER_KINDS: dict[str, frozenset[str]] = {
    "enterprise": frozenset({"market_supervision"}),
    "lifecycle_event": frozenset({"market_supervision", "park_committee"}),
    "dangerous_chemical_entry": frozenset({"customs"}),
    "credit_rating": frozenset({r.issuer_kind for r in RULE_SETS.values()}),
    "risk": frozenset(
        {
            "customs",
            "emergency_management",
            "market_supervision",
            "park_committee",
            "ecology_environment",
        }
    ),
}
