"""The demo's joint work, checked with plain SQL against a SQLite file built by the real
migrations: the roster, incidents graded by the decree and routed by the roster, their
teams, and a campaign whose items keep the campaign's rules; the same seed writes the same
rows."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from liaison.db.demo.generate import DemoSummary, populate
from liaison.db.demo.incidents import ROSTER
from liaison.db.engine import create_engine
from liaison.db.incident_grading import at_least, grade_incident
from liaison.db.migrate import upgrade
from liaison.db.rectification import OUTCOMES

TABLES = (
    "emergency_roster_entry",
    "incident",
    "incident_chemical",
    "incident_response",
    "incident_team_member",
    "rectification_campaign",
    "rectification_item",
)


def build(path: Path, seed: int = 2026) -> DemoSummary:
    url = f"sqlite:///{path}"
    upgrade(url)

    async def run() -> DemoSummary:
        engine = create_engine(url)
        try:
            return await populate(engine, enterprises=300, seed=seed)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def query(path: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as database:
        return database.execute(sql, parameters).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("joint-work") / "demo.db"
    return path, build(path)


def test_the_summary_counts_the_joint_work_written(built: tuple[Path, DemoSummary]) -> None:
    path, summary = built

    # Other workflows add their own counts beside these.
    assert {table: summary.joint_work[table] for table in TABLES} == {
        table: query(path, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 - constants
        for table in TABLES
    }
    assert summary.joint_work["emergency_roster_entry"] == len(ROSTER)
    assert summary.joint_work["incident"] == 2
    assert summary.joint_work["rectification_item"] == 8


def test_each_incident_is_graded_by_the_decree_and_routed_by_the_roster(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built
    incidents = query(
        path,
        "SELECT id, zone, deaths, serious_injuries, direct_loss, grade, grade_rule, status,"
        " occurred_at < opened_at AND opened_at < closed_at FROM incident ORDER BY id",
    )
    for incident_id, zone, deaths, injuries, loss, grade, rule, status, in_order in incidents:
        grading = grade_incident(
            deaths=deaths, serious_injuries=injuries, direct_loss=Decimal(str(loss))
        )
        assert (grade, rule) == (grading.grade.value, grading.rule)
        assert (status, in_order) == ("closed", 1)
        called = {
            code for z, minimum, code in ROSTER if z in (None, zone) and at_least(grade, minimum)
        }
        routed = query(
            path,
            "SELECT d.code, r.acknowledged_at IS NOT NULL FROM incident_response r"
            " JOIN department d ON d.id = r.department_id WHERE r.incident_id = ?",
            incident_id,
        )
        assert {code for code, _ in routed} == called
        # A team from each department that acknowledged, and from no other.
        teams = query(
            path,
            "SELECT DISTINCT d.code FROM incident_team_member t JOIN department d"
            " ON d.id = t.owner_department_id WHERE t.incident_id = ?",
            incident_id,
        )
        assert {code for (code,) in teams} == {code for code, answered in routed if answered}


def test_the_campaign_lists_enterprises_of_its_zone_and_keeps_its_rules(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built
    items = query(
        path,
        "SELECT e.zone, c.zone, i.measure, i.status, i.outcome, i.lifecycle_event_id,"
        " i.deadline BETWEEN c.started_on AND c.ends_on FROM rectification_item i"
        " JOIN rectification_campaign c ON c.id = i.campaign_id"
        " JOIN enterprise e ON e.id = i.enterprise_id",
    )
    assert len({row[0] for row in items}) == 1
    for enterprise_zone, zone, measure, status, outcome, event, in_window in items:
        assert enterprise_zone == zone
        assert in_window == 1
        assert (status == "completed") == (outcome is not None)
        assert outcome is None or outcome in OUTCOMES[measure]
        # The demo leaves the ledger alone: the README's examples relocate one.
        assert outcome not in {"relocated", "cancelled"}
        assert event is None


def test_the_same_seed_writes_the_same_joint_work(
    built: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    path, _ = built
    again = tmp_path / "again.db"
    build(again)

    for table in TABLES:
        ordered = f"SELECT * FROM {table} ORDER BY id"  # noqa: S608 - constants
        assert query(again, ordered) == query(path, ordered), table
