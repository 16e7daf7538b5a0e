"""Where records are shown decides their errors and audit rows; records no resolver
placed still count, with every field selected for their type (fail-safe)."""

from __future__ import annotations

import datetime as dt

from liaison.permissions.gate import Gate
from liaison.permissions.policy import compile_policy

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
SELECTED = {"dangerous_chemical_entry": {"cas_number", "declared_value"}}


def _gate() -> Gate:
    # No grants: every governed field of customs' entries is withheld from emergency.
    policy = compile_policy([], consumer="emergency", purpose="joint_inspection", now=NOW)
    return Gate(policy, SELECTED)


def test_a_record_shown_where_a_withheld_field_is_not_selected_raises_nothing_for_it() -> None:
    gate = _gate()
    view = gate.view("dangerous_chemical_entry", "customs", 1)
    view.keys.append(7)

    gate.reach(("one",), {"cas_number"}, [(view, 7)])

    withheld = [(site, w.field, w.records) for site, w in gate.withholdings_by_site()]
    assert withheld == [(("one",), "cas_number", 1)]


def test_records_no_resolver_placed_count_with_every_selected_field() -> None:
    gate = _gate()
    view = gate.view("dangerous_chemical_entry", "customs", 1)
    view.keys.extend([7, 8])

    gate.reach(("one",), {"cas_number"}, [(view, 7)])

    withheld = sorted((site is None, w.field, w.records) for site, w in gate.withholdings_by_site())
    assert withheld == [
        (False, "cas_number", 1),
        (True, "cas_number", 1),
        (True, "declared_value", 1),
    ]
    [(shown_view, by_field, everywhere)] = gate.shown()
    assert shown_view is view
    assert everywhere == {7, 8}
    assert by_field == {"cas_number": {7, 8}, "declared_value": {8}}
