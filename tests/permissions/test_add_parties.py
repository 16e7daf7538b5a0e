"""A workflow adds party rules to record types it does not define (the sender's records a
referral refers to): after the type's own rules, each with its bit, and no more than the
scope bits hold. Plain Python, no database."""

from __future__ import annotations

import pytest
from sqlalchemy import literal

from liaison.db.record_tables import RecordTable
from liaison.db.record_tables import add_parties as add_conditions
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.catalogue import RECORD_TYPES
from liaison.permissions.record_types import (
    MAX_PARTY_RULES,
    PARTY_BITS,
    PartyRule,
    add_parties,
    record_type,
)

OWN = PartyRule("participant", "participant of the plan")
ADDED = PartyRule("referred", "referred by a referral to its receiver")


def test_added_rules_come_after_the_types_own_and_take_the_next_bits() -> None:
    types = {"plan": record_type("plan", "A plan.", governed={"title": None}, parties=(OWN,))}

    grown = add_parties(types, {"plan": (ADDED,)})

    assert grown["plan"].parties == (OWN, ADDED)
    assert grown["plan"].party_bit(ADDED) == 1 << (PARTY_BITS + 1)
    assert grown["plan"].parties_in(1 << (PARTY_BITS + 1)) == [ADDED]
    assert types["plan"].parties == (OWN,)  # the original is left as it was


def test_no_more_rules_than_the_scope_bits_hold() -> None:
    many = tuple(PartyRule(f"p{n}", f"part {n}") for n in range(MAX_PARTY_RULES))
    types = {"plan": record_type("plan", "A plan.", governed={"title": None}, parties=many)}

    with pytest.raises(ValueError, match=f"plan: at most {MAX_PARTY_RULES} party rules"):
        add_parties(types, {"plan": (ADDED,)})


def test_added_conditions_join_the_tables_own() -> None:
    table = RecordTable(
        object(), {"id": literal(1)}, parties={"participant": lambda _: literal(True)}
    )

    grown = add_conditions({"plan": table}, {"plan": {"referred": lambda _: literal(False)}})

    assert list(grown["plan"].parties) == ["participant", "referred"]
    assert list(table.parties) == ["participant"]


@pytest.mark.parametrize("name", ["risk", "lifecycle_event", "credit_rating"])
def test_every_referable_record_type_has_the_referred_rule_and_its_condition(name: str) -> None:
    assert ADDED in RECORD_TYPES[name].parties
    assert "referred" in RECORD_TABLES[name].parties
