"""The per-request gate: decisions taken once per (owner, record type, matching grants),
applied to rows in one pass, and the tally of what was disclosed and withheld."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from liaison.permissions.catalogue import RECORD_TYPES, Access
from liaison.permissions.decision import Decision, decide
from liaison.permissions.masking import Mask
from liaison.permissions.policy import CompiledPolicy, Level


@dataclass(slots=True)
class RecordView:
    """How the caller sees records of one type from one owner under one set of grants."""

    record_type: str
    owner: str
    scope_bits: int
    visible: bool
    decisions: dict[str, Decision]
    raw: tuple[str, ...]
    masked: tuple[tuple[str, Mask], ...]
    withheld: tuple[str, ...]
    keys: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Withholding:
    record_type: str
    field: str
    owners: frozenset[str]
    records: int
    reasons: frozenset[str]


_Tally = dict[tuple[str, str], tuple[set[str], set[tuple[str, Any]], set[str]]]


def _tally(
    fields: frozenset[str], shown: Iterable[tuple[RecordView, set[Any]]], into: _Tally
) -> _Tally:
    for view, keys in shown:
        for name in view.withheld:
            if name not in fields or not keys:
                continue
            owners, records, reasons = into.setdefault(
                (view.record_type, name), (set(), set(), set())
            )
            owners.add(view.owner)
            records.update((view.owner, key) for key in keys)
            reasons.add(view.decisions[name].reason)
    return into


def _withholdings(tally: _Tally) -> list[Withholding]:
    return [
        Withholding(t, f, frozenset(owners), len(records), frozenset(reasons))
        for (t, f), (owners, records, reasons) in sorted(tally.items())
    ]


class Gate:
    """Built per request from the compiled policy and the fields the operation selects.

    Callers must build every row of a shared record from the :meth:`view` it falls under
    (showing ``raw`` fields, masking ``masked`` ones, nulling ``withheld`` ones, and adding
    its key to ``keys``), and report where it is shown with :meth:`reach`; a row built any
    other way bypasses masking and the tally, and so leaks unaudited data.
    """

    def __init__(self, policy: CompiledPolicy, selected: Mapping[str, Iterable[str]]) -> None:
        self.policy = policy
        self.selected = {t: frozenset(fields) for t, fields in selected.items()}
        self._views: dict[tuple[str, str, int], RecordView] = {}
        self._reached: dict[
            Hashable, tuple[frozenset[str], dict[int, tuple[RecordView, set[Any]]]]
        ] = {}

    @property
    def consumer(self) -> str:
        return self.policy.consumer

    def selected_fields(self, record_type: str) -> frozenset[str]:
        return self.selected.get(record_type, frozenset())

    def view(self, record_type: str, owner: str, scope_bits: int) -> RecordView:
        key = (record_type, owner, scope_bits)
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = self._build(record_type, owner, scope_bits)
        return found

    def _build(self, record_type: str, owner: str, scope_bits: int) -> RecordView:
        elements = RECORD_TYPES[record_type].elements
        decisions = {
            name: decide(self.policy, owner=owner, element=elements[name], scope_bits=scope_bits)
            for name in self.selected_fields(record_type)
            if name in elements
        }
        raw, masked, withheld = [], [], []
        for name, decision in sorted(decisions.items()):
            element = elements[name]
            if decision.level is Level.FULL:
                raw.append(name)
            elif decision.level is Level.MASKED and element.mask is not None:
                masked.append((name, element.mask))
            else:
                withheld.append(name)
        # Enterprises are always listed (USCC and name join records across departments);
        # any other record only through a grant whose scope matched it.
        visible = (
            RECORD_TYPES[record_type].always_listed or owner == self.consumer or scope_bits != 0
        )
        return RecordView(
            record_type=record_type,
            owner=owner,
            scope_bits=scope_bits,
            visible=visible,
            decisions=decisions,
            raw=tuple(raw),
            masked=tuple(masked),
            withheld=tuple(withheld),
        )

    def views(self) -> list[RecordView]:
        return list(self._views.values())

    def reach(
        self, site: Hashable, fields: Iterable[str], records: Iterable[tuple[RecordView, Any]]
    ) -> None:
        """Records shown at one place of the response, where ``fields`` are selected:
        what withholding errors and the audit's denials are computed from."""
        shown = self._reached.setdefault(site, (frozenset(fields), {}))[1]
        for view, key in records:
            keys = shown.get(id(view))
            if keys is None:
                keys = shown[id(view)] = (view, set())
            keys[1].add(key)

    def _unplaced(self) -> dict[int, tuple[RecordView, set[Any]]]:
        """Records built but reported at no place. Each resolver reports its records; if one
        ever failed to, its records still count as shown with every field selected for
        their type, so no withheld field goes without its error or audit record."""
        placed: dict[int, set[Any]] = {}
        for _, shown in self._reached.values():
            for view_id, (_, keys) in shown.items():
                placed.setdefault(view_id, set()).update(keys)
        unplaced = {}
        for view in self._views.values():
            rest = set(view.keys) - placed.get(id(view), set())
            if rest:
                unplaced[id(view)] = (view, rest)
        return unplaced

    def withholdings_by_site(self) -> list[tuple[Hashable | None, Withholding]]:
        """For each place and selected field that came back null for some record there:
        the owners whose grant is missing and how many records it concerns. Place None:
        records no resolver placed (see :meth:`_unplaced`)."""
        found: list[tuple[Hashable | None, Withholding]] = [
            (site, withholding)
            for site, (fields, shown) in self._reached.items()
            for withholding in _withholdings(_tally(fields, shown.values(), {}))
        ]
        for view, keys in self._unplaced().values():
            tally = _tally(frozenset(view.decisions), [(view, keys)], {})
            found.extend((None, withholding) for withholding in _withholdings(tally))
        return found

    def shown(self) -> list[tuple[RecordView, dict[str, set[Any]], set[Any]]]:
        """Per view: for each field, the records shown where that field is selected; and
        every record of the view shown anywhere. What the audit records as disclosed and
        withheld. Records no resolver placed count as shown with every selected field."""
        per_view: dict[int, tuple[RecordView, dict[str, set[Any]], set[Any]]] = {}
        places = list(self._reached.values())
        places += [
            (frozenset(view.decisions), {view_id: (view, keys)})
            for view_id, (view, keys) in self._unplaced().items()
        ]
        for fields, shown in places:
            for view_id, (view, keys) in shown.items():
                _, by_field, everywhere = per_view.setdefault(view_id, (view, {}, set()))
                everywhere.update(keys)
                for name in fields:
                    if name in view.decisions:
                        before = by_field.get(name)
                        # One place (the usual case): the fields share its key set.
                        by_field[name] = keys if before is None else before | keys
        return list(per_view.values())

    def not_fully_granted(
        self, record_type: str, fields: Iterable[str], other_owners: Iterable[str]
    ) -> list[str]:
        """Governed fields that some other owner in view does not grant at full for every
        record the caller can see: filtering or ordering on them would let the caller infer
        hidden values. ``other_owners`` are the departments other than the caller whose
        records of this type the query can reach."""
        elements = RECORD_TYPES[record_type].elements
        owners = set(other_owners) - {self.consumer}
        refused = []
        for name in fields:
            if elements[name].access is not Access.GOVERNED:
                continue
            if not all(self._full_everywhere(record_type, name, owner) for owner in owners):
                refused.append(name)
        return refused

    def _full_everywhere(self, record_type: str, name: str, owner: str) -> bool:
        grants = self.policy.grants_from(owner, record_type)
        if RECORD_TYPES[record_type].always_listed:
            # Enterprises outside every scope are still listed, with this field hidden.
            return any(g.scope.everything and g.fields.get(name) == Level.FULL for g in grants)
        # Without a grant the owner's records are not reachable at all.
        return all(g.fields.get(name) == Level.FULL for g in grants)
