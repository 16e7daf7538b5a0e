"""The access log as clients read it. Audit types are not shared record types: their
fields are declared plainly, and who may read them is decided once, in ``accessLog``."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from liaison.db.audit import ChainedEvent, DisclosedRecord, Disclosure


@strawberry.enum(description="How an audited operation ended.")
class AccessOutcome(enum.Enum):
    OK = "ok"
    PARTIAL = "partial"  # some fields were refused (FORBIDDEN), the rest returned
    DENIED = "denied"  # refused: nothing of another department's data was returned
    ERROR = "error"


@strawberry.type(description="An agreement version, as it stood when it allowed an access.")
class AgreementVersionRef:
    id: int
    code: str
    version: int


@strawberry.type(
    description="One field of one provider's record type in an operation: the level it was "
    "given and the agreement that gave it, or level NONE and the reason it was refused."
)
class AccessDisclosure:
    provider: str = strawberry.field(
        description="Department code; '*' for a refusal of a "
        "filter that no single provider's grant decided."
    )
    record_type: str = strawberry.field(description="e.g. dangerous_chemical_entry")
    field: str = strawberry.field(description="e.g. cas_number")
    level: str = strawberry.field(description="full, masked, or none (refused)")
    agreement: AgreementVersionRef | None
    record_count: int
    reason: str

    @classmethod
    def of(cls, row: Disclosure) -> AccessDisclosure:
        agreement = None
        if row.agreement_id is not None and row.agreement_code and row.agreement_version:
            agreement = AgreementVersionRef(
                id=row.agreement_id, code=row.agreement_code, version=row.agreement_version
            )
        return cls(
            provider=row.provider,
            record_type=row.record_type,
            field=row.field,
            level=row.level,
            agreement=agreement,
            record_count=row.record_count,
            reason=row.reason,
        )


@strawberry.type(description="A record another department's data was read from (or written).")
class AccessedRecord:
    provider: str
    record_type: str
    record_id: strawberry.ID
    enterprise_uscc: str | None

    @classmethod
    def of(cls, row: DisclosedRecord) -> AccessedRecord:
        return cls(
            provider=row.provider,
            record_type=row.record_type,
            record_id=strawberry.ID(str(row.record_id)),
            enterprise_uscc=row.enterprise_uscc,
        )


@strawberry.type(description="One audited operation, as chained in the audit trail.")
class AccessEvent:
    seq: int = strawberry.field(description="Position in the hash chain (and in time).")
    occurred_at: dt.datetime
    request_id: str
    subject: str
    department: str = strawberry.field(description="The principal's (consuming) department.")
    client_id: str
    operation_type: str
    operation_name: str | None
    document_sha256: str
    variables_sha256: str
    purpose: str | None
    case_reference: str | None
    outcome: AccessOutcome = strawberry.field(
        description="How the operation ended; of another department's operation, how the "
        "caller's department's part of it ended."
    )
    prev_hash: str
    hash: str
    disclosures: list[AccessDisclosure]
    records: list[AccessedRecord]

    @classmethod
    def of(cls, event: ChainedEvent) -> AccessEvent:
        entry = event.entry
        return cls(
            seq=event.seq,
            occurred_at=event.occurred_at,
            request_id=entry.request_id,
            subject=entry.principal_subject,
            department=entry.principal_department,
            client_id=entry.principal_client,
            operation_type=entry.operation_type,
            operation_name=entry.operation_name,
            document_sha256=entry.document_sha256,
            variables_sha256=entry.variables_sha256,
            purpose=entry.purpose,
            case_reference=entry.case_reference,
            outcome=AccessOutcome(entry.outcome),
            prev_hash=event.prev_hash,
            hash=event.hash,
            disclosures=[AccessDisclosure.of(d) for d in entry.disclosures],
            records=[AccessedRecord.of(r) for r in entry.records],
        )


@strawberry.input(description="Every criterion given must hold; periods are [from, until).")
class AccessLogFilter:
    provider: str | None = None
    consumer: str | None = None
    enterprise_uscc: str | None = None
    record_type: str | None = None
    field: str | None = None
    purpose: str | None = None
    case_reference: str | None = None
    outcome: AccessOutcome | None = None
    from_: dt.datetime | None = strawberry.field(name="from", default=None)
    until: dt.datetime | None = None
