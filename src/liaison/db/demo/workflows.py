"""The joint-work part of the demo: each workflow adds its records after the core ones,
in the same transaction, deterministically for the seed. A workflow's demo is a function
of its own module, listed here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

# Each workflow's demo module names DemoContext only for type checking, so importing them
# here makes no cycle.
from liaison.db.demo.certificates import add_certificates
from liaison.db.demo.incidents import add_incidents
from liaison.db.demo.inspections import add_inspections
from liaison.db.demo.ledger import add_ledger
from liaison.db.demo.recognition import add_recognitions
from liaison.db.demo.rectification import add_rectification
from liaison.db.demo.referrals import add_referrals


@dataclass(frozen=True)
class DemoContext:
    connection: AsyncConnection
    seed: int
    today: dt.date
    enterprises: int


# Each returns what it wrote, by table, for the demo's summary.
WorkflowDemo = Callable[[DemoContext], Awaitable[dict[str, int]]]

WORKFLOW_DEMOS: tuple[WorkflowDemo, ...] = (
    add_referrals,
    add_incidents,
    add_rectification,
    add_inspections,
    add_ledger,
    add_recognitions,
    add_certificates,
)
