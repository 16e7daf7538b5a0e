"""What one operation disclosed and was refused, read from its gate and its result.

The gate's views hold exactly the records that were resolved and returned (whatever the
nesting, fragments or aliases), so the entry names what left the server, not what the
top-level query asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from liaison.db.audit import AuditEntry, DisclosedKeys, Disclosure
from liaison.permissions.catalogue import RECORD_TYPES
from liaison.permissions.decision import OPEN, WITH_RECORD, Decision, matching_grants
from liaison.permissions.gate import Gate, RecordView
from liaison.permissions.policy import AgreementRef, Level
from liaison.schema.errors import FORBIDDEN, PURPOSE_REQUIRED

REFUSALS = frozenset({FORBIDDEN, PURPOSE_REQUIRED})
# A refusal the gate could not attribute to one provider (e.g. a filter on a field some
# department in view does not grant at full).
ANY_PROVIDER = "*"


@dataclass(frozen=True, slots=True)
class Operation:
    """The parts of an execution the audit needs, free of strawberry's types."""

    request_id: str
    subject: str
    department: str
    client: str
    operation_type: str
    operation_name: str | None
    document_sha256: str
    variables_sha256: str
    purpose: str | None
    case_reference: str | None


# (provider, record type, field, level, agreement, why it was given): a level given for
# different reasons (a standing grant, the same memorandum during an incident, a part in
# the record) is recorded once per reason; refusals of one field share one row.
_TallyKey = tuple[str, str, str, str, AgreementRef | None, str]


def disclosures(*gates: Gate) -> tuple[list[Disclosure], dict[tuple[str, str], set[Any]]]:
    """Per (provider, record type, field, level, agreement): the records shown where that
    field is selected; and the records of other departments that were disclosed, by
    (provider, record type). Both come from where the gates saw each record shown, so a
    field selected only where no record came back is neither disclosed nor refused; the
    operation's internal reads (more gates) count as shown with the fields they read."""
    tally: dict[_TallyKey, tuple[list[set[Any]], str]] = {}
    disclosed: dict[tuple[str, str], set[Any]] = defaultdict(set)
    shown = [(gate, entry) for gate in gates for entry in gate.shown()]
    for gate, (view, by_field, everywhere) in shown:
        if view.owner == gate.consumer or not everywhere:
            continue
        always_listed = RECORD_TYPES[view.record_type].always_listed
        revealed = not always_listed  # another department's record exists for the caller
        for name, keys in by_field.items():
            level, agreement, reason = _attribution(gate, view, view.decisions[name], always_listed)
            if level is None:
                continue
            revealed = revealed or level != "none"
            given = reason if level != "none" else ""
            sets, _ = tally.setdefault(
                (view.owner, view.record_type, name, level, agreement, given), ([], reason)
            )
            # Fields shown in the same places share one key set: count it once.
            if not any(keys is seen for seen in sets):
                sets.append(keys)
        if revealed:
            disclosed[(view.owner, view.record_type)].update(everywhere)
    rows = [
        Disclosure(
            provider=provider,
            record_type=record_type,
            field=name,
            level=level,
            record_count=len(sets[0]) if len(sets) == 1 else len(set().union(*sets)),
            reason=reason,
            agreement_id=agreement.agreement_id if agreement else None,
            agreement_code=agreement.code if agreement else None,
            agreement_version=agreement.version if agreement else None,
        )
        for (provider, record_type, name, level, agreement, _), (sets, reason) in tally.items()
    ]
    return sorted(rows, key=_disclosure_order), disclosed


def _attribution(
    gate: Gate, view: RecordView, decision: Decision, always_listed: bool
) -> tuple[str | None, AgreementRef | None, str]:
    """(level, agreement, reason) to record for one field of one view; level None: the
    field is not another department's data (USCC, name, links of enterprises)."""
    if decision == OPEN or (decision == WITH_RECORD and always_listed):
        return None, None, decision.reason
    if decision == WITH_RECORD:
        # Keys and links travel with the record: the grant whose scope matched it allowed it.
        grants = matching_grants(
            gate.policy.grants_from(view.owner, view.record_type), view.scope_bits
        )
        agreement = grants[0].agreement if grants else None
        return "full", agreement, decision.reason
    if decision.level is Level.NONE:
        return "none", None, decision.reason
    return decision.level.name.lower(), decision.agreement, decision.reason


def _disclosure_order(row: Disclosure) -> tuple[Any, ...]:
    return (
        row.provider,
        row.record_type,
        row.field,
        row.level,
        row.agreement_code or "",
        row.reason,
    )


def refusals_without_rows(errors: Sequence[GraphQLError]) -> list[Disclosure]:
    """FORBIDDEN errors that refused a whole field (filters), which no view tallies."""
    found: list[Disclosure] = []
    for error in errors:
        extensions = error.extensions or {}
        if extensions.get("code") != FORBIDDEN or "withheldRecords" in extensions:
            continue
        for element in extensions.get("elements", ()):
            record_type, _, name = str(element).partition(".")
            found.append(
                Disclosure(
                    provider=ANY_PROVIDER,
                    record_type=record_type,
                    field=name,
                    level="none",
                    record_count=0,
                    reason=error.message[:300],
                )
            )
    return found


def outcome(errors: Sequence[GraphQLError], data_returned: bool, disclosed_any: bool) -> str:
    codes = [(e.extensions or {}).get("code") for e in errors]
    if any(code not in REFUSALS for code in codes):
        return "error"
    if codes:
        return "partial" if data_returned and disclosed_any else "denied"
    return "ok"


def build_entry(
    operation: Operation,
    gates: Sequence[Gate],
    errors: Sequence[GraphQLError],
    *,
    data_returned: bool,
    writes: bool,
) -> AuditEntry | None:
    """The entry for one operation (its response's gate and its internal reads' gates), or
    None when it neither touched another department's data nor was refused it, nor wrote
    anything (own-department reads are not audited).

    No database work: the records are named by their keys (which enterprise each belongs
    to is derived by the audit index, off the request path)."""
    rows: list[Disclosure] = []
    disclosed: dict[tuple[str, str], set[Any]] = {}
    if gates:
        rows, disclosed = disclosures(*gates)
        if writes:
            disclosed.update(_own_records(gates[0]))
    rows += refusals_without_rows(errors)
    refused = any((e.extensions or {}).get("code") in REFUSALS for e in errors)
    if not (rows or disclosed or refused or writes):
        return None
    keys = _disclosed_keys(disclosed)
    return AuditEntry(
        request_id=operation.request_id,
        principal_subject=operation.subject,
        principal_department=operation.department,
        principal_client=operation.client,
        operation_type=operation.operation_type,
        operation_name=operation.operation_name,
        document_sha256=operation.document_sha256,
        variables_sha256=operation.variables_sha256,
        purpose=operation.purpose,
        case_reference=operation.case_reference,
        outcome=outcome(errors, data_returned, any(r.level != "none" for r in rows) or bool(keys)),
        disclosures=tuple(rows),
        disclosed=keys,
    )


def _own_records(gate: Gate) -> dict[tuple[str, str], set[Any]]:
    # What a mutation returns of its own department is what it wrote.
    own: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for view in gate.views():
        if view.owner == gate.consumer and view.keys:
            own[(view.owner, view.record_type)].update(view.keys)
    return own


def _disclosed_keys(
    disclosed: Mapping[tuple[str, str], Iterable[Any]],
) -> tuple[DisclosedKeys, ...]:
    return tuple(
        DisclosedKeys.of(provider, record_type, keys)
        for (provider, record_type), keys in sorted(disclosed.items())
        if keys
    )
