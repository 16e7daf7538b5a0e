"""Emergency access: what the memorandum grants for ``emergency_response`` about the
incident's enterprise and its neighbours (its zone), for a department that acknowledged the
incident, while it is open — the dangerous chemicals stored there, the open hidden dangers,
the enterprises' contacts. Asked once (``Query.emergencyAccess``) or pushed
(``Subscription.emergencyAccess``: everything at once, then each enterprise again whenever
its records change, until the incident is closed).

The request must state purpose ``emergency_response`` and, as its case reference
(``Liaison-Case``), the incident's reference: that is what compiles the grants ``during:
incident`` into its policy (``api.policy_cache``), and what the audit records as the case
of every disclosure. Every record is read through the gate like any other.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import GraphQLError

from liaison.db.change_feed import ChangeFeed
from liaison.db.changes import changes_among, last_change
from liaison.db.incidents import (
    ACCESS_FEED,
    AccessState,
    access_state,
    enterprises_of_zone,
    enterprises_touched,
)
from liaison.db.records import fetch_records
from liaison.db.tables import RECORD_TABLES
from liaison.permissions.incident_access import EMERGENCY_RESPONSE
from liaison.schema.context import Context
from liaison.schema.errors import error, forbidden
from liaison.schema.materialize import materialize
from liaison.schema.one_record import one_record
from liaison.schema.reach import reached
from liaison.schema.subscriptions import (
    SUBSCRIPTIONS_NEED_WEBSOCKET,
    _release,
    _relied_on,
    _still_in_force,
    _wait_seconds,
)
from liaison.schema.types.enterprise import Enterprise
from liaison.schema.types.incidents import Incident
from liaison.schema.types.records import DangerousChemicalEntry, Risk

Info = strawberry.Info[Context, None]

INCIDENT_CLOSED = "INCIDENT_CLOSED"
_BATCH = 100


@strawberry.type(
    description="What an open incident gives its responders, through the gate: the "
    "incident, and for enterprises of its zone (the incident's enterprise first) their "
    "contacts, the dangerous chemicals stored there and their open hidden dangers."
)
class EmergencyAccess:
    incident_id: strawberry.Private[int]
    enterprise_ids: strawberry.Private[list[int]]

    @strawberry.field(description="The incident.")
    async def incident(self, info: Info) -> Incident | None:
        found: Incident | None = await one_record(
            info.context, info.path, "incident", self.incident_id
        )
        return found

    @strawberry.field(
        description="The enterprises this answer (or event) covers: in a query and a "
        "subscription's first event, the incident's enterprise and then its neighbours; in "
        "later events, those whose records changed."
    )
    async def enterprises(self, info: Info) -> list[Enterprise]:
        found = await info.context.loaders.enterprise.load_many(self.enterprise_ids)
        shown = [e for e in found if e is not None]
        reached(info.context, info.path, "enterprise", shown)
        return shown

    @strawberry.field(description="Dangerous-chemical entries of those enterprises.")
    async def dangerous_chemical_entries(self, info: Info) -> list[DangerousChemicalEntry]:
        loader = info.context.loaders.children("dangerous_chemical_entry")
        rows = [r for found in await loader.load_many(self.enterprise_ids) for r in found]
        reached(info.context, info.path, "dangerous_chemical_entry", rows)
        return rows

    @strawberry.field(
        description="Hidden dangers of those enterprises not closed yet. Needs the risks' "
        "status shared at full by every department whose risks are in view."
    )
    async def open_risks(self, info: Info) -> list[Risk] | None:
        context = info.context
        gate = context.require_gate()
        providers = list(context.access.policy.providers("risk"))
        if gate.not_fully_granted("risk", ["status"], providers):
            raise forbidden(
                "Open risks are found by their status, which not every department whose "
                "risks are in view shares with you at full level.",
                elements=["risk.status"],
            )
        table = RECORD_TABLES["risk"]
        async with context.database() as session:
            rows = await fetch_records(
                session,
                context.access,
                "risk",
                gate.selected_fields("risk"),
                where=[
                    table.columns["enterprise"].in_(self.enterprise_ids),
                    table.columns["status"] != "closed",
                ],
            )
        built: list[Risk] = materialize(gate, context.access.directory.codes, "risk", rows)
        reached(context, info.path, "risk", built)
        return built


async def _admitted(context: Context, reference: str) -> AccessState:
    """The incident, if the caller may have emergency access to it now; else the refusal
    (audited as such)."""
    if context.purpose != EMERGENCY_RESPONSE:
        raise forbidden(
            f"Emergency access is given for purpose {EMERGENCY_RESPONSE}: send the header "
            f"'Liaison-Purpose: {EMERGENCY_RESPONSE}'."
        )
    if context.case_reference != reference:
        raise forbidden(
            f"Emergency access is given for the incident's case: send the header "
            f"'Liaison-Case: {reference}'."
        )
    async with context.database() as session:
        state = await access_state(
            session, reference, context.access.directory.ids[context.department]
        )
    # An incident the caller was not called to is answered like one that does not exist.
    if state is None or not state.routed:
        raise forbidden(f"No incident your department was called to has reference {reference}.")
    if not state.open:
        raise _closed(reference)
    if not state.acknowledged:
        raise forbidden(
            f"Your department has not acknowledged incident {reference}: emergency access "
            "opens to the departments that acknowledge it (acknowledgeIncident)."
        )
    return state


def _closed(reference: str) -> GraphQLError:
    return error(
        INCIDENT_CLOSED,
        f"Incident {reference} is closed: the emergency access it opened has ended.",
        incident=reference,
    )


async def _zone(context: Context, state: AccessState) -> list[int]:
    async with context.database() as session:
        return await enterprises_of_zone(session, state.zone, state.enterprise_id)


async def emergency_snapshot(info: Info, incident: str) -> EmergencyAccess:
    context = info.context
    state = await _admitted(context, incident)
    return EmergencyAccess(
        incident_id=state.incident_id, enterprise_ids=await _zone(context, state)
    )


async def emergency_events(info: Info, incident: str) -> AsyncGenerator[EmergencyAccess, None]:
    """Checked when subscribed, so a refusal comes back before any event; the events
    follow from the generator."""
    context = info.context
    if context.changes is None or context.renew_access is None:
        raise error(
            SUBSCRIPTIONS_NEED_WEBSOCKET,
            "Subscriptions are served over graphql-transport-ws at this same path.",
        )
    state = await _admitted(context, incident)
    return _events(info, context.changes, incident, state)


async def _events(
    info: Info, feed: ChangeFeed, reference: str, state: AccessState
) -> AsyncGenerator[EmergencyAccess, None]:
    context = info.context
    relied = _relied_on(context)
    # The cursor before listening: a change between the two is still seen, since the feed
    # wakes a new listener once after it joins (see ChangeFeed).
    async with context.database() as session:
        cursor = await last_change(session)
    await _release(context)
    async with feed.listen() as listener:
        # Everything at once: the incident's enterprise and its neighbours.
        async for event in _deliver(context, relied, state, await _zone(context, state)):
            yield event
        while True:
            await listener.wait(_wait_seconds(relied))
            changes = await _unseen(context, cursor)
            if not changes:  # woken by a policy change or the agreement's expiry
                await _still_open(context, reference)
                await _still_in_force(relied, context)
                await _release(context)
            while changes:
                cursor = changes[-1].seq
                state = await _still_open(context, reference)
                async with context.database() as session:
                    touched = await enterprises_touched(session, changes)
                changed = [i for i in await _zone(context, state) if i in touched]
                await _release(context)
                if changed:
                    # Each enterprise whose records changed, again, as it stands now.
                    async for event in _deliver(context, relied, state, changed):
                        yield event
                changes = await _unseen(context, cursor)


async def _deliver(
    context: Context, relied: dict[str, Any], state: AccessState, enterprise_ids: list[int]
) -> AsyncGenerator[EmergencyAccess, None]:
    """One event, under the caller's access taken afresh (which ends the subscription with
    ``AGREEMENT_ENDED`` if the memorandum is no longer in force)."""
    await _still_in_force(relied, context)
    context.event_open = True
    try:
        yield EmergencyAccess(incident_id=state.incident_id, enterprise_ids=enterprise_ids)
    finally:
        context.event_open = False
    await _release(context)


async def _still_open(context: Context, reference: str) -> AccessState:
    async with context.database() as session:
        state = await access_state(
            session, reference, context.access.directory.ids[context.department]
        )
    await _release(context)
    if state is None or not state.open:
        raise _closed(reference)
    return state


async def _unseen(context: Context, cursor: int) -> list[Any]:
    async with context.database() as session:
        changes = list(await changes_among(session, cursor, ACCESS_FEED, limit=_BATCH))
    await _release(context)
    return changes
