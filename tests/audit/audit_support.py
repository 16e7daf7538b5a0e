"""Helpers for the audit tests: requests with a case and a request id, and the events the
chain holds for them. The chain grows across tests (the world fixture never empties it),
so every assertion looks events up by request id or by a case reference of its own."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from click.testing import CliRunner, Result

from liaison.api.cli import main
from liaison.db.audit import AuditEntry

CHEMICALS_TO_EMERGENCY = {
    "provider": "customs",
    "consumers": ["emergency"],
    "record_type": "dangerous_chemical_entry",
    "purposes": ["joint_inspection", "emergency_response"],
    "fields": {"cas_number": "full", "quantity": "masked"},
}


def audit_entry(request_id: str, **changes: Any) -> AuditEntry:
    """An event as an emergency bureau's query with nothing disclosed would leave it, with
    ``changes``: for tests that append to the chain directly."""
    fields: dict[str, Any] = {
        "request_id": request_id,
        "principal_subject": "s",
        "principal_department": "emergency",
        "principal_client": "c",
        "operation_type": "query",
        "operation_name": None,
        "document_sha256": "0" * 64,
        "variables_sha256": "1" * 64,
        "purpose": "joint_inspection",
        "case_reference": None,
        "outcome": "ok",
        "disclosures": (),
        "disclosed": (),
    }
    return AuditEntry(**{**fields, **changes})


def new_request_id(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


async def ask(
    http: httpx.AsyncClient,
    query: str,
    *,
    bearer: str,
    variables: dict[str, Any] | None = None,
    purpose: str | None = None,
    case: str | None = None,
    request_id: str | None = None,
) -> tuple[int, dict[str, Any], str]:
    """POSTs one operation; returns status, body and the response's X-Request-ID."""
    headers = {"Authorization": f"Bearer {bearer}"}
    if purpose is not None:
        headers["Liaison-Purpose"] = purpose
    if case is not None:
        headers["Liaison-Case"] = case
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    return response.status_code, response.json(), response.headers["x-request-id"]


async def run_cli(*args: str) -> Result:
    """Runs ``liaison ...`` in a worker thread: the command starts its own event loop."""
    return await asyncio.to_thread(CliRunner().invoke, main, list(args))
