"""The demo's recognitions, checked with plain SQL on a SQLite file built by the real
migrations: deterministic for the seed, both directions of the memorandum there, each
resting on a result in force of the recognised department for the same enterprise, and the
rule table seeded."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from liaison.db.demo.generate import DEFAULT_TODAY, DemoSummary, populate
from liaison.db.engine import create_engine
from liaison.db.migrate import upgrade

ENTERPRISES = 150


def build(path: Path, seed: int = 2026) -> DemoSummary:
    url = f"sqlite:///{path}"
    upgrade(url)

    async def run() -> DemoSummary:
        engine = create_engine(url)
        try:
            return await populate(engine, enterprises=ENTERPRISES, seed=seed)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as database:
        return database.execute(sql).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo-recognitions") / "demo.db"
    return path, build(path)


def test_both_directions_of_the_memorandum_are_there(built: tuple[Path, DemoSummary]) -> None:
    path, summary = built

    rows = query(
        path,
        "SELECT o.code, r.code, result_type, facilitation, count(*) FROM recognition "
        "JOIN department o ON o.id = owner_department_id "
        "JOIN department r ON r.id = recognised_department_id "
        "GROUP BY o.code, r.code, result_type, facilitation ORDER BY 1, 4",
    )

    assert summary.joint_work["recognition"] == sum(row[4] for row in rows)
    assert [row[:4] for row in rows] == [
        ("customs", "emergency", "standardization_certificate", "reduced_inspection_frequency"),
        ("emergency", "customs", "credit_rating", "procedure_simplification"),
        ("emergency", "customs", "credit_rating", "trust_supervision"),
    ]
    assert summary.joint_work["recognition"] >= ENTERPRISES // 25


def test_each_rests_on_a_result_in_force_of_the_recognised_department(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built
    today = DEFAULT_TODAY.isoformat()

    certificates = query(
        path,
        "SELECT count(*) FROM recognition r JOIN standardization_certificate c "  # noqa: S608
        "ON c.id = r.standardization_certificate_id WHERE c.owner_department_id = "
        "r.recognised_department_id AND c.enterprise_id = r.enterprise_id AND "
        f"c.issued_on <= '{today}' AND c.valid_until >= '{today}'",
    )[0][0]
    ratings = query(
        path,
        "SELECT count(*) FROM recognition r JOIN credit_rating c ON c.id = r.credit_rating_id "
        "WHERE c.owner_department_id = r.recognised_department_id AND c.enterprise_id = "
        "r.enterprise_id AND c.grade = 'advanced_certified'",
    )[0][0]
    total, active = query(
        path,
        "SELECT count(*), sum(status = 'active' AND valid_until >= valid_from) FROM recognition",
    )[0]

    assert certificates + ratings == total == active


def test_the_same_seed_gives_the_same_recognitions(
    tmp_path: Path, built: tuple[Path, DemoSummary]
) -> None:
    path, _ = built
    again = tmp_path / "again.db"
    build(again)

    sql = "SELECT * FROM recognition ORDER BY id"
    assert query(again, sql) == query(path, sql)
    assert query(path, "SELECT count(*) FROM inspection_rule")[0][0] == 25
