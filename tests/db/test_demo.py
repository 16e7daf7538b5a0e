"""The demo generator, checked with plain SQL against SQLite files built by the real migrations.

The tests stay synchronous: ``upgrade`` runs its own event loop, and ``populate`` is driven
with ``asyncio.run`` so the tests do not depend on how pytest-asyncio is configured.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from liaison.codes import (
    validate_cas,
    validate_hazard_class,
    validate_packing_group,
    validate_un_number,
    validate_uscc,
)
from liaison.db.demo.chemicals import CHEMICALS
from liaison.db.demo.generate import (
    DEFAULT_TODAY,
    DEPARTMENTS,
    GRADINGS,
    NEXT_KIND,
    TABLES,
    ZONES,
    DemoError,
    DemoSummary,
    organisation_code,
    permute,
    populate,
)
from liaison.db.demo.names import INDUSTRIES
from liaison.db.engine import create_engine
from liaison.db.migrate import upgrade
from liaison.db.rules import LIFECYCLE_TRANSITIONS, RULE_SETS
from liaison.permissions.masking import district

ENTERPRISES = 150
TODAY = DEFAULT_TODAY.isoformat()
ALL_TABLES = ("department", *TABLES)


async def _populate(url: str, enterprises: int, seed: int) -> DemoSummary:
    engine = create_engine(url)
    try:
        return await populate(engine, enterprises=enterprises, seed=seed)
    finally:
        await engine.dispose()


def build(path: Path, *, enterprises: int = ENTERPRISES, seed: int = 2026) -> DemoSummary:
    url = f"sqlite:///{path}"
    upgrade(url)
    return asyncio.run(_populate(url, enterprises, seed))


def query(path: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as database:
        return database.execute(sql, parameters).fetchall()


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    # Table names are this module's constants, not input.
    return {
        table: query(path, f'SELECT * FROM "{table}" ORDER BY id')  # noqa: S608
        for table in ALL_TABLES
    }


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    return path, build(path)


@pytest.fixture(scope="module")
def demo(built: tuple[Path, DemoSummary]) -> Path:
    return built[0]


# --- the generator's own tables ------------------------------------------------------------


def test_the_generator_plans_only_transitions_the_rules_allow() -> None:
    for kind, following in NEXT_KIND.items():
        planned = {value for value in following.values if value is not None}
        assert planned <= LIFECYCLE_TRANSITIONS[kind], kind


def test_every_rule_set_has_a_grading_with_one_share_per_grade() -> None:
    assert set(GRADINGS) == set(RULE_SETS)
    for code, grading in GRADINGS.items():
        assert len(grading.shares) == len(RULE_SETS[code].grades), code
        assert list(grading.shares) == sorted(grading.shares), code
        assert grading.shares[-1] == 1.0, code


@pytest.mark.parametrize("modulus", [1, 2, 7, 31, 1000, 4097])
def test_permute_is_a_bijection(modulus: int) -> None:
    assert sorted(permute(value, modulus, 12345) for value in range(modulus)) == list(
        range(modulus)
    )


def test_organisation_code_appends_the_gb_11714_check_character() -> None:
    # The organisation code inside the USCC 91110000600037341L.
    assert organisation_code("60003734") == "600037341"


# --- what populate writes ------------------------------------------------------------------


def test_the_summary_counts_what_was_written(built: tuple[Path, DemoSummary]) -> None:
    path, summary = built
    counted = [
        query(path, f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in ALL_TABLES
    ]
    assert counted == [
        summary.departments,
        summary.enterprises,
        summary.lifecycle_events,
        summary.dangerous_chemical_entries,
        summary.credit_ratings,
        # The joint inspection's findings are risks too, written with the joint work.
        summary.risks + summary.joint_work.get("joint_inspection_finding", 0),
        summary.safety_grades,
        summary.standardization_certificates,
    ]
    assert summary.enterprises == ENTERPRISES
    assert min(counted) > 0


def test_the_five_departments_are_written(demo: Path) -> None:
    assert query(demo, "SELECT code, name, kind FROM department ORDER BY id") == list(DEPARTMENTS)


def test_the_same_seed_writes_identical_rows(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    build(again)
    assert dump(again) == dump(demo)


def test_another_seed_writes_other_rows(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    build(other, seed=7)
    ours, theirs = dump(demo), dump(other)
    assert ours["department"] == theirs["department"]
    for table in ("enterprise", "lifecycle_event", "dangerous_chemical_entry", "risk"):
        assert ours[table] != theirs[table], table
    assert not {row[1] for row in ours["enterprise"]} & {row[1] for row in theirs["enterprise"]}


def test_every_uscc_is_valid_unique_and_registered_in_shanghai(demo: Path) -> None:
    usccs = [uscc for (uscc,) in query(demo, "SELECT uscc FROM enterprise")]
    assert len(usccs) == len(set(usccs)) == ENTERPRISES
    for uscc in usccs:
        assert validate_uscc(uscc) == uscc
        # Market supervision (9), enterprise (1), a Shanghai district, an organisation code.
        assert uscc[:2] == "91"
        assert uscc[2:8] in {"310115", "310120"}
        assert organisation_code(uscc[8:16]) == uscc[8:17]


def test_enterprises_look_like_registered_chemical_companies(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT e.name, zone, address, legal_representative, contact_phone, industry, "
        "registered_on, d.code FROM enterprise e JOIN department d "
        "ON d.id = e.owner_department_id",
    )
    assert len({row[0] for row in rows}) == len(rows)
    for name, zone, address, person, phone, industry, registered_on, owner in rows:
        assert name.startswith("上海")
        assert name.endswith("有限公司")
        assert zone in ZONES
        assert district()(address) in {"上海市浦东新区", "上海市奉贤区"}
        assert 2 <= len(person) <= 3
        assert len(phone) == 11
        assert phone.isdigit()
        assert phone.startswith("1")
        assert industry in INDUSTRIES
        assert dt.date(2005, 1, 1) <= day(registered_on) <= DEFAULT_TODAY
        assert owner == "market"
    assert len({row[1] for row in rows}) > 1
    assert len({row[5] for row in rows}) > 1


def test_each_status_is_the_latest_ledger_event(demo: Path) -> None:
    mismatched = query(
        demo,
        "SELECT e.id, e.status, e.status_since, latest.kind, latest.effective_on "
        "FROM enterprise e JOIN lifecycle_event latest ON latest.id = ("
        "  SELECT l.id FROM lifecycle_event l WHERE l.enterprise_id = e.id"
        "  ORDER BY l.effective_on DESC, l.id DESC LIMIT 1) "
        "WHERE e.status != latest.kind OR e.status_since != latest.effective_on",
    )
    assert mismatched == []
    statuses = Counter(status for (status,) in query(demo, "SELECT status FROM enterprise"))
    assert statuses["in_operation"] > ENTERPRISES / 3
    assert len(statuses) >= 4


def test_every_ledger_follows_the_lifecycle_transitions(demo: Path) -> None:
    registered = dict(query(demo, "SELECT id, registered_on FROM enterprise"))
    ledgers: dict[int, list[tuple[str, str, str | None, str]]] = defaultdict(list)
    for enterprise_id, kind, effective_on, ends_on, owner in query(
        demo,
        # In the order written, so dates out of order would show.
        "SELECT l.enterprise_id, l.kind, l.effective_on, l.pilot_production_ends_on, d.code "
        "FROM lifecycle_event l JOIN department d ON d.id = l.owner_department_id "
        "ORDER BY l.enterprise_id, l.id",
    ):
        ledgers[enterprise_id].append((kind, effective_on, ends_on, owner))
    assert set(ledgers) == set(registered)
    for enterprise_id, events in ledgers.items():
        assert events[0][:2] == ("registered", registered[enterprise_id])
        for (before, since, _, _), (after, on, _, _) in itertools.pairwise(events):
            assert after in LIFECYCLE_TRANSITIONS[before], (enterprise_id, before, after)
            assert since <= on <= TODAY
        for kind, effective_on, ends_on, owner in events:
            assert (ends_on is not None) == (kind == "pilot_production")
            assert ends_on is None or ends_on > effective_on
            assert owner in {"market", "park"}


def test_document_numbers_are_unique(demo: Path) -> None:
    assert query(
        demo, "SELECT count(*) = count(DISTINCT document_number) FROM lifecycle_event"
    ) == [(1,)]


def test_entries_carry_valid_codes_from_the_fixture(demo: Path) -> None:
    fixture = {c.cas_number: c for c in CHEMICALS}
    rows = query(
        demo,
        "SELECT chemical_name, cas_number, un_number, hazard_class, packing_group, unit "
        "FROM dangerous_chemical_entry",
    )
    for name, cas, un, hazard_class, packing_group, unit in rows:
        assert validate_cas(cas) == cas
        assert validate_un_number(un) == un
        assert validate_hazard_class(hazard_class) == hazard_class
        assert packing_group is None or validate_packing_group(packing_group) == packing_group
        chemical = fixture[cas]
        assert (name, un, hazard_class, packing_group, unit) == (
            chemical.name,
            chemical.un_number,
            chemical.hazard_class,
            chemical.packing_group,
            chemical.unit,
        )


def test_entries_are_plausible_declarations(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT x.declaration_number, x.quantity, x.declared_value, x.port, x.entry_date, "
        "x.storage_location, x.consignee, e.name, d.code FROM dangerous_chemical_entry x "
        "JOIN enterprise e ON e.id = x.enterprise_id "
        "JOIN department d ON d.id = x.owner_department_id",
    )
    numbers = [row[0] for row in rows]
    assert len(numbers) == len(set(numbers))
    three_years_ago = DEFAULT_TODAY - dt.timedelta(days=3 * 365)
    for number, quantity, value, port, entry_date, storage, consignee, name, owner in rows:
        assert len(number) == 18
        assert number.isdigit()
        assert number[4:8] == entry_date[:4]
        assert quantity > 0
        assert value > 0
        assert port
        assert three_years_ago <= day(entry_date) <= DEFAULT_TODAY
        assert district()(storage) in {"上海市浦东新区", "上海市奉贤区"}
        assert consignee == name
        assert owner == "customs"
    importers = query(demo, "SELECT count(DISTINCT enterprise_id) FROM dangerous_chemical_entry")
    assert 0.4 * ENTERPRISES <= importers[0][0] <= 0.8 * ENTERPRISES
    per_enterprise = query(
        demo,
        "SELECT max(n) FROM "
        "(SELECT count(*) n FROM dangerous_chemical_entry GROUP BY enterprise_id)",
    )
    assert per_enterprise[0][0] <= 5


def test_ratings_follow_their_rule_sets(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT r.scheme, r.rule_set, r.grade, r.score, r.effective_on, r.expires_on, d.kind "
        "FROM credit_rating r JOIN department d ON d.id = r.owner_department_id",
    )
    for scheme, code, grade, score, effective_on, expires_on, issuer_kind in rows:
        rules = RULE_SETS[code]
        assert scheme == rules.scheme
        assert grade in rules.grades
        assert rules.covers(day(effective_on)), (code, effective_on)
        assert issuer_kind == rules.issuer_kind
        assert expires_on is None or expires_on > effective_on
        assert score is None or 0 <= score <= 1000
    used = {row[1] for row in rows}
    assert {"market-2022", "work-safety-2020"} <= used
    assert len(used) >= 4
    grades = Counter(row[2] for row in rows if row[1].startswith("customs"))
    adverse = grades["dishonest"] + grades["seriously_dishonest"]
    assert adverse < sum(grades.values()) / 5


def test_risks_keep_their_dates_and_statuses_in_order(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT level, found_on, rectification_deadline, status, closed_on, "
        "supervising_department_id IN (SELECT id FROM department) FROM risk",
    )
    for level, found_on, deadline, status, closed_on, supervised in rows:
        assert level in {"general", "major"}
        assert status in {"reported", "rectifying", "pending_acceptance", "closed"}
        assert found_on < deadline
        assert found_on <= TODAY
        assert (closed_on is not None) == (status == "closed")
        assert closed_on is None or found_on <= closed_on <= TODAY
        assert supervised
    statuses = Counter(row[3] for row in rows)
    overdue = [row for row in rows if row[3] != "closed" and row[2] < TODAY]
    assert statuses["closed"] > len(rows) / 2
    assert 0 < len(overdue) < len(rows) / 4
    assert Counter(row[0] for row in rows)["major"] < len(rows) / 4


def test_safety_grades_are_well_formed(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT g.scheme, g.grade, g.assessed_on, g.valid_until, d.code "
        "FROM safety_grade g JOIN department d ON d.id = g.owner_department_id",
    )
    owners = {"enterprise_supervision": "emergency", "park_risk": "park"}
    for scheme, grade, assessed_on, valid_until, owner in rows:
        assert owners[scheme] == owner
        assert grade in {"A", "B", "C", "D"}
        assert assessed_on <= TODAY
        assert valid_until is None or valid_until > assessed_on
    assert {row[0] for row in rows} == set(owners)


def test_certificates_are_well_formed(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT level, certificate_number, issued_on, valid_until, enterprise_id "
        "FROM standardization_certificate",
    )
    assert len({row[1] for row in rows}) == len(rows)
    for level, number, issued_on, valid_until, _ in rows:
        assert level in {1, 2, 3}
        assert "AQBWH" in number
        assert issued_on < valid_until
        assert issued_on <= TODAY
    holders = len({row[4] for row in rows})
    assert 0.3 * ENTERPRISES <= holders <= 0.7 * ENTERPRISES
    assert Counter(row[0] for row in rows).most_common(1)[0][0] == 3


def test_populate_refuses_a_populated_database(demo: Path) -> None:
    before = dump(demo)
    with pytest.raises(DemoError, match="already holds 5 departments"):
        asyncio.run(_populate(f"sqlite:///{demo}", 3, 2026))
    assert dump(demo) == before


def test_populate_rejects_a_negative_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    with pytest.raises(DemoError, match="between 0 and"):
        asyncio.run(_populate(url, -1, 2026))


def test_populate_spans_several_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunking must not change the data: ids run on across chunks and draws stay in order.
    whole = tmp_path / "whole.db"
    build(whole, enterprises=25)
    monkeypatch.setattr("liaison.db.demo.generate.CHUNK_SIZE", 4)
    chunked = tmp_path / "chunked.db"
    build(chunked, enterprises=25)
    assert dump(chunked) == dump(whole)
