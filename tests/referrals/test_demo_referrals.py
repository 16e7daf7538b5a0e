"""The demo's referrals and public reports, checked with plain SQL on SQLite files built by
the real migrations: deterministic for the seed, every status there, evidence that matches
its hash, and nothing referred that its sender does not own."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from liaison.db.demo.generate import DemoSummary, populate
from liaison.db.engine import create_engine
from liaison.db.migrate import upgrade

ENTERPRISES = 200
TABLES = ("public_report", "referral", "referral_attachment", "attachment_blob", "referred_record")


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
    path = tmp_path_factory.mktemp("demo-referrals") / "demo.db"
    return path, build(path)


def test_the_summary_counts_what_was_written(built: tuple[Path, DemoSummary]) -> None:
    path, summary = built

    mine = ("public_reports", "referrals", "referral_attachments")  # others count their own
    assert {key: summary.joint_work[key] for key in mine} == {
        "public_reports": query(path, "SELECT count(*) FROM public_report")[0][0],
        "referrals": query(path, "SELECT count(*) FROM referral")[0][0],
        "referral_attachments": query(path, "SELECT count(*) FROM referral_attachment")[0][0],
    }
    assert summary.joint_work["referrals"] >= ENTERPRISES // 20


def test_the_same_seed_writes_the_same_referrals(
    built: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    path, _ = built
    again = tmp_path / "again.db"
    build(again)

    for table in TABLES:
        order = "sha256" if table == "attachment_blob" else "id"
        sql = f"SELECT * FROM {table} ORDER BY {order}"  # noqa: S608 - constants
        assert query(again, sql) == query(path, sql), table


def test_every_status_is_there_and_some_referrals_are_past_their_deadline(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built

    statuses = {status for (status,) in query(path, "SELECT DISTINCT status FROM referral")}
    late = query(
        path,
        "SELECT count(*) FROM referral WHERE status IN ('sent', 'accepted') "
        "AND feedback_deadline < '2026-11-23'",
    )[0][0]

    assert statuses == {"sent", "accepted", "returned", "handled", "withdrawn"}
    assert late > 0


def test_each_answer_fits_its_status(built: tuple[Path, DemoSummary]) -> None:
    path, _ = built

    rows = query(
        path,
        "SELECT status, accepted_on IS NOT NULL, handled_on IS NOT NULL, feedback IS NOT NULL, "
        "returned_on IS NOT NULL, return_reason IS NOT NULL, withdrawn_on IS NOT NULL "
        "FROM referral",
    )

    expected = {
        "sent": (0, 0, 0, 0, 0, 0),
        "accepted": (1, 0, 0, 0, 0, 0),
        "handled": (1, 1, 1, 0, 0, 0),
        "returned": (0, 0, 0, 1, 1, 0),
        "withdrawn": (0, 0, 0, 0, 0, 1),
    }
    assert all(tuple(row[1:]) == expected[row[0]] for row in rows)


def test_evidence_matches_its_hash_and_size(built: tuple[Path, DemoSummary]) -> None:
    path, _ = built

    rows = query(
        path,
        "SELECT a.sha256, a.size_bytes, b.content, a.owner_department_id = r.owner_department_id,"
        " a.enterprise_id = r.enterprise_id, a.stored_in FROM referral_attachment a "
        "JOIN attachment_blob b ON b.sha256 = a.sha256 JOIN referral r ON r.id = a.referral_id",
    )

    assert len(rows) == query(path, "SELECT count(*) FROM referral_attachment")[0][0] > 0
    for digest, size, content, same_owner, same_enterprise, stored_in in rows:
        assert hashlib.sha256(content).hexdigest() == digest
        assert len(content) == size
        assert same_owner
        assert same_enterprise
        assert stored_in == "database"


def test_a_referral_refers_only_to_records_its_sender_owns_of_its_enterprise(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built
    checks = []
    for table in ("risk", "lifecycle_event", "credit_rating"):
        checks += query(
            path,
            f"SELECT x.owner_department_id = r.owner_department_id, "  # noqa: S608 - constants
            f"x.enterprise_id = r.enterprise_id FROM referred_record i "
            f"JOIN referral r ON r.id = i.referral_id JOIN {table} x ON x.id = i.record_id "
            f"WHERE i.record_type = '{table}'",
        )

    assert len(checks) == query(path, "SELECT count(*) FROM referred_record")[0][0] > 0
    assert all(same_owner and same_enterprise for same_owner, same_enterprise in checks)


def test_a_carried_report_is_its_senders_and_of_the_referrals_enterprise(
    built: tuple[Path, DemoSummary],
) -> None:
    path, _ = built

    carried = query(
        path,
        "SELECT p.owner_department_id = r.owner_department_id, p.enterprise_id = r.enterprise_id "
        "FROM referral r JOIN public_report p ON p.id = r.report_id",
    )
    anonymous = query(
        path,
        "SELECT count(*) FROM public_report WHERE anonymous "
        "AND (reporter_name IS NOT NULL OR reporter_contact IS NOT NULL)",
    )

    assert carried
    assert all(owner and enterprise for owner, enterprise in carried)
    assert anonymous == [(0,)]
