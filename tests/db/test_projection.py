"""Projection: a statement fetches only the columns a request selects, and a governed
column only where the caller may see it: a withheld value never leaves the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liaison.api.policy_cache import PolicyCache
from liaison.db.records import fetch_records, select_records
from world import USCC_WAREHOUSE, World, grant

Sessions = async_sessionmaker[AsyncSession]

# customs' entries to emergency: CAS number in full, quantity masked, for one zone only.
ENTRIES = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "dangerous_chemical_entry",
    "purposes": ["joint_inspection"],
    "scope": {"zones": ["Lingang Chemical Park"]},
    "fields": {"cas_number": "full", "quantity": "masked"},
}


async def test_withheld_columns_come_back_null_from_the_database_and_granted_ones_do_not(
    world: World, sessions: Sessions
) -> None:
    async with sessions() as session, session.begin():
        await grant(session, ENTRIES)
    async with sessions() as session:
        access, _ = await PolicyCache().access(
            session, consumer="emergency", purpose="joint_inspection"
        )
        rows = await fetch_records(
            session,
            access,
            "dangerous_chemical_entry",
            ["cas_number", "quantity", "declared_value", "consignee"],
        )

    # The grant's scope holds the two Lingang enterprises; the Waigaoqiao one is not reached.
    assert len(rows) == 2
    for row in rows:
        assert row.cas_number == "71-43-2"  # granted in full
        assert row.quantity is not None  # granted masked: the mask needs the value
        assert row.declared_value is None  # not granted: not even fetched
        assert row.consignee is None
    assert {row.enterprise for row in rows} == {
        world.enterprises[uscc] for uscc in world.enterprises if uscc != USCC_WAREHOUSE
    }


async def test_the_owner_gets_its_own_columns_and_unselected_columns_are_not_in_the_sql(
    world: World, sessions: Sessions
) -> None:
    async with sessions() as session:
        access, _ = await PolicyCache().access(session, consumer="customs", purpose=None)
        rows = await fetch_records(
            session, access, "dangerous_chemical_entry", ["declared_value", "consignee"]
        )
    statement = select_records(access, "dangerous_chemical_entry", ["consignee"])

    assert len(rows) == 3
    assert all(row.declared_value is not None and row.consignee for row in rows)
    assert "declared_value" not in str(statement)
    assert "consignee" in str(statement)
