"""What one request may cost: every hostile-input limit, its default and the environment
variable that sets it. Plain Python (read by the CLI, the HTTP edge and the schema alike);
the README's "Hostile input" table lists the same rows, and a test keeps the two in step."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _limit(default: float, env: str, meaning: str) -> Any:
    return field(default=default, metadata={"env": env, "meaning": meaning})


@dataclass(frozen=True)
class Limits:
    """Zero turns a limit off."""

    max_body_bytes: int = _limit(
        1_000_000,
        "LIAISON_MAX_BODY_BYTES",
        "HTTP request body, counted as it streams in (chunked bodies too): 413 beyond it, "
        "before anything is parsed",
    )
    max_document_bytes: int = _limit(
        32_768, "LIAISON_MAX_DOCUMENT_BYTES", "the GraphQL document (`query`), in UTF-8 bytes"
    )
    max_variables_bytes: int = _limit(
        262_144, "LIAISON_MAX_VARIABLES_BYTES", "`variables`, as compact JSON, in UTF-8 bytes"
    )
    max_tokens: int = _limit(
        2_000,
        "LIAISON_MAX_TOKENS",
        "lexical tokens of the document, and separately its comments; parsing stops there",
    )
    max_depth: int = _limit(
        10,
        "LIAISON_MAX_DEPTH",
        "fields nested in one operation, through fragments (`{ me { department } }` is 2); "
        "introspection is bounded by graphql-core's introspection depth rule instead",
    )
    max_aliases: int = _limit(
        20,
        "LIAISON_MAX_ALIASES",
        "aliased fields in one operation, a fragment's counted each time it is spread",
    )
    max_directives_per_location: int = _limit(
        3,
        "LIAISON_MAX_DIRECTIVES_PER_LOCATION",
        "directives on one field, fragment, operation or variable (`@include` and `@skip` "
        "together are 2)",
    )
    max_directives: int = _limit(
        50,
        "LIAISON_MAX_DIRECTIVES",
        "directives in the whole document, as written",
    )
    max_validation_errors: int = _limit(
        10,
        "LIAISON_MAX_VALIDATION_ERRORS",
        "validation errors reported for one document: validation stops there and one more "
        "error says so",
    )
    max_execution_seconds: float = _limit(
        10.0,
        "LIAISON_MAX_EXECUTION_SECONDS",
        "executing one operation: beyond it one `TIMEOUT` error, no data, and the "
        "transaction rolled back",
    )
    max_socket_operations: int = _limit(
        32,
        "LIAISON_MAX_SOCKET_OPERATIONS",
        "operations in flight on one websocket, subscriptions included; one more gets an "
        "`error` message and is not run",
    )
    max_attachment_bytes: int = _limit(
        131_072,
        "LIAISON_MAX_ATTACHMENT_BYTES",
        "one attachment of a referral, decoded; its base64 (a third larger) travels in "
        "`variables`, so it must fit LIAISON_MAX_VARIABLES_BYTES too",
    )
    max_concurrent_operations: int = _limit(
        6,
        "LIAISON_MAX_CONCURRENT_OPERATIONS",
        "GraphQL operations over HTTP one server process executes at once; the others wait "
        "their turn, in arrival order",
    )
    rate_records_per_minute: int = _limit(
        60_000,
        "LIAISON_RATE_RECORDS_PER_MINUTE",
        "records one principal (subject and department) may resolve a minute, one "
        "minute's worth in a burst; then 429 with Retry-After. Shared by the processes on "
        "one PostgreSQL (synced every second)",
    )

    @classmethod
    def documented(cls) -> list[tuple[str, str, Any, str]]:
        """(field, environment variable, default, meaning) for every limit."""
        return [(f.name, f.metadata["env"], f.default, f.metadata["meaning"]) for f in fields(cls)]
