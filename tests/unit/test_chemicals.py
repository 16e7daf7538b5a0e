from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from liaison.codes import (
    validate_cas,
    validate_hazard_class,
    validate_packing_group,
    validate_un_number,
)
from liaison.db.demo.chemicals import CHEMICALS, Chemical

UNITS = {"kg", "t", "L", "m3"}


def duplicates(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


def test_the_fixture_holds_at_least_45_chemicals() -> None:
    assert len(CHEMICALS) >= 45


@pytest.mark.parametrize("chemical", CHEMICALS, ids=lambda chemical: chemical.name)
def test_every_chemical_carries_codes_in_canonical_form(chemical: Chemical) -> None:
    assert validate_cas(chemical.cas_number) == chemical.cas_number
    assert validate_un_number(chemical.un_number) == chemical.un_number
    assert validate_hazard_class(chemical.hazard_class) == chemical.hazard_class
    if chemical.packing_group is not None:
        assert validate_packing_group(chemical.packing_group) == chemical.packing_group
    assert chemical.unit in UNITS


@pytest.mark.parametrize("chemical", CHEMICALS, ids=lambda chemical: chemical.name)
def test_only_gases_go_without_a_packing_group(chemical: Chemical) -> None:
    is_gas = chemical.hazard_class.startswith("2.")

    assert (chemical.packing_group is None) == is_gas


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("English name", lambda chemical: chemical.name),
        ("Chinese name", lambda chemical: chemical.name_zh),
        ("CAS number", lambda chemical: chemical.cas_number),
        ("UN number and name", lambda chemical: f"{chemical.un_number} {chemical.name}"),
    ],
)
def test_no_two_chemicals_share(field: str, key: Callable[[Chemical], str]) -> None:
    values = [key(chemical) for chemical in CHEMICALS]

    assert duplicates(values) == [], field


@pytest.mark.parametrize(
    ("name", "cas_number", "un_number"),
    [
        ("Chlorine", "7782-50-5", "UN1017"),
        ("Benzene", "71-43-2", "UN1114"),
        ("Methanol", "67-56-1", "UN1230"),
        ("Sodium cyanide, solid", "143-33-9", "UN1689"),
        ("Ammonia, anhydrous", "7664-41-7", "UN1005"),
        ("Phosphorus, white or yellow", "12185-10-3", "UN1381"),
    ],
)
def test_well_known_chemicals_keep_their_codes(name: str, cas_number: str, un_number: str) -> None:
    by_name = {chemical.name: chemical for chemical in CHEMICALS}

    chemical = by_name[name]

    assert (chemical.cas_number, chemical.un_number) == (cas_number, un_number)
