"""Limits on what one GraphQL operation may ask for, the same over HTTP and websockets.

The limits and their defaults are :class:`liaison.limits.Limits`. Every refusal is a
GraphQL request error with the code ``LIMIT_EXCEEDED`` naming the limit, its maximum and
what the request had; nothing of the operation is executed.

Depth and aliases are counted once per fragment (memoised), so a document whose fragments
spread each other many times costs linear time to check, never exponential.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from liaison.db.engine import statement_interrupter
from liaison.limits import Limits

log = logging.getLogger("liaison.limits")

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
TIMEOUT = "TIMEOUT"


def limit_error(limit: str, message: str, *, maximum: float, found: float) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={"code": LIMIT_EXCEEDED, "limit": limit, "maximum": maximum, "found": found},
    )


# ---------------------------------------------------------------------------------------
# Sizes: checked by each transport on the raw request, before anything is parsed.


def size_errors(
    query: str | None, variables: Mapping[str, Any] | None, limits: Limits
) -> list[GraphQLError]:
    errors = []
    if query is not None and limits.max_document_bytes:
        size = len(query.encode("utf-8", "surrogatepass"))
        if size > limits.max_document_bytes:
            errors.append(
                limit_error(
                    "documentBytes",
                    f"The GraphQL document is {size} bytes; at most "
                    f"{limits.max_document_bytes} are accepted.",
                    maximum=limits.max_document_bytes,
                    found=size,
                )
            )
    if variables and limits.max_variables_bytes:
        size = _json_size(variables)
        if size > limits.max_variables_bytes:
            errors.append(
                limit_error(
                    "variablesBytes",
                    f"The variables are {size} bytes of JSON; at most "
                    f"{limits.max_variables_bytes} are accepted.",
                    maximum=limits.max_variables_bytes,
                    found=size,
                )
            )
    return errors


def _json_size(value: Mapping[str, Any]) -> int:
    try:
        return len(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    except (TypeError, orjson.JSONEncodeError):  # e.g. an integer beyond 64 bits
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        return len(text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------------------
# Tokens, depth and aliases: a schema extension, so both transports enforce them.


class _Shape:
    """Depth and alias counts of a document, each fragment measured once."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._depths: dict[str, int] = {}
        self._aliases: dict[str, int] = {}
        self._open: set[str] = set()

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        deepest = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue  # introspection: graphql-core's MaxIntrospectionDepthRule
                deepest = max(deepest, 1 + self.depth(node.selection_set))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, self.depth(node.selection_set))
            elif isinstance(node, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(node.name.value, self._depths, self.depth))
        return deepest

    def aliases(self, selection_set: SelectionSetNode | None) -> int:
        count = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                count += (1 if node.alias else 0) + self.aliases(node.selection_set)
            elif isinstance(node, InlineFragmentNode):
                count += self.aliases(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                count += self._fragment(node.name.value, self._aliases, self.aliases)
        return count

    def _fragment(self, name: str, memo: dict[str, int], measure: Any) -> int:
        found = memo.get(name)
        if found is not None:
            return found
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:
            return 0  # unknown fragments and cycles are validation errors of their own
        self._open.add(name)
        try:
            found = memo[name] = int(measure(fragment.selection_set))
        finally:
            self._open.discard(name)
        return found


def shape_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    shape = _Shape(document)
    errors = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
        try:
            depth = shape.depth(operation.selection_set)
            aliases = shape.aliases(operation.selection_set)
        except RecursionError:
            return [
                limit_error(
                    "depth",
                    "The document nests selections too deeply to be checked.",
                    maximum=limits.max_depth,
                    found=-1,
                )
            ]
        if limits.max_depth and depth > limits.max_depth:
            errors.append(
                limit_error(
                    "depth",
                    f"{name} nests fields {depth} deep; at most {limits.max_depth} are allowed.",
                    maximum=limits.max_depth,
                    found=depth,
                )
            )
        if limits.max_aliases and aliases > limits.max_aliases:
            errors.append(
                limit_error(
                    "aliases",
                    f"{name} uses {aliases} aliases (fragments counted each time they are "
                    f"spread); at most {limits.max_aliases} are allowed.",
                    maximum=limits.max_aliases,
                    found=aliases,
                )
            )
    return errors


def _described(node: Node) -> str:
    kind = {
        "field": "the field",
        "fragment_spread": "the fragment spread",
        "inline_fragment": "the inline fragment",
        "fragment_definition": "the fragment",
        "operation_definition": "the operation",
        "variable_definition": "the variable",
    }.get(node.kind, node.kind.replace("_", " "))
    name = getattr(node, "name", None) or getattr(getattr(node, "variable", None), "name", None)
    where = ""
    if node.loc is not None:
        line, column = node.loc.source.get_location(node.loc.start)
        where = f" at line {line}, column {column}"
    return f"{kind} '{name.value}'{where}" if name is not None else f"{kind}{where}"


def _places(document: DocumentNode) -> Iterator[Node]:
    """Every node of an executable document that can carry directives: operations and
    their variables, fragments, fields, fragment spreads and inline fragments."""
    pending: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition
            yield from definition.variable_definitions or ()
        elif isinstance(definition, FragmentDefinitionNode):
            yield definition
        else:
            continue
        pending.append(definition.selection_set)
    while pending:
        for node in pending.pop().selections:
            yield node
            child = getattr(node, "selection_set", None)
            if child is not None:
                pending.append(child)


def directive_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Directives as written, per location and in the whole document: each one, known or
    not, repeated or not, would otherwise cost an error of its own in validation."""
    per_location = limits.max_directives_per_location
    total, crowded = 0, None
    for node in _places(document):
        directives = getattr(node, "directives", None) or ()
        total += len(directives)
        if per_location and crowded is None and len(directives) > per_location:
            crowded = node
    errors = []
    if crowded is not None:
        found = len(getattr(crowded, "directives", ()))
        where = _described(crowded)
        errors.append(
            limit_error(
                "directivesPerLocation",
                f"{where[0].upper()}{where[1:]} carries {found} directives; at most "
                f"{per_location} are allowed at one location.",
                maximum=per_location,
                found=found,
            )
        )
    if limits.max_directives and total > limits.max_directives:
        errors.append(
            limit_error(
                "directives",
                f"The document carries {total} directives; at most {limits.max_directives} "
                "are allowed.",
                maximum=limits.max_directives,
                found=total,
            )
        )
    return errors


# A parsed document comes from the parse cache (the same object for the same text): its
# checks are taken once, kept with the document they are about.
_CHECKED: OrderedDict[tuple[int, Limits], tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()
_CHECKED_KEPT = 512


def document_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Directive, depth and alias limits of ``document``, checked once per document."""
    key = (id(document), limits)
    found = _CHECKED.get(key)
    if found is not None and found[0] is document:
        _CHECKED.move_to_end(key)
        return list(found[1])
    errors = directive_errors(document, limits) + shape_errors(document, limits)
    _CHECKED[key] = (document, errors)
    while len(_CHECKED) > _CHECKED_KEPT:
        _CHECKED.popitem(last=False)
    return list(errors)


class DocumentLimits(SchemaExtension):
    """Tokens while parsing; directives, depth and aliases before graphql-core's own
    validation, which is then skipped for a document over a limit (it could be costly on
    such a document, and would answer with an error per excess directive)."""

    def __init__(self, *, limits: Limits) -> None:
        self.limits = limits

    def on_operation(self) -> Iterator[None]:
        # graphql-core 3.3's parser options; strawberry's ParseOptions names only max_tokens.
        options = cast("dict[str, Any]", self.execution_context.parse_options)
        if self.limits.max_tokens:
            options["max_lexical_tokens"] = self.limits.max_tokens
            options["max_comments"] = self.limits.max_tokens
        if self.limits.max_document_bytes:
            # Code points: never more than bytes. Transports check the exact byte size.
            options["max_source_length"] = self.limits.max_document_bytes
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.pre_execution_errors is None:
            errors = document_errors(document, self.limits)
            if errors:
                execution.pre_execution_errors = errors
        yield


# ---------------------------------------------------------------------------------------
# Execution time: the executor awaits the operation under a deadline.

E = TypeVar("E", bound=StrawberryGraphQLCoreExecutionContext)


def timeout_error(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"The operation did not complete within {seconds:g} seconds and was abandoned; "
        "nothing it changed was kept. Ask for less (fewer rows, fewer nested lists).",
        extensions={"code": TIMEOUT, "maximumSeconds": seconds},
    )


def _expire(deadline: asyncio.Timeout, interrupt: Callable[[], None] | None) -> None:
    if interrupt is not None:
        try:
            interrupt()
        except Exception:
            log.exception("interrupting the statement of an abandoned operation failed")
    deadline.reschedule(asyncio.get_running_loop().time())


def with_deadline(executor: type[E], seconds: float) -> type[E]:
    """``executor`` whose asynchronous operations are cancelled after ``seconds``.

    A mutation runs inside a savepoint of the request's transaction, rolled back when the
    deadline passes, so a mutation cut short writes nothing, while what the transaction held
    before (the writers' lock) is kept and its audit event still written. A query writes
    nothing and needs no savepoint (no extra statement); its transaction is rolled back
    whole.

    The statement in flight is cut too: asyncpg cancels it on the server; an SQLite one is
    interrupted (``db.engine.statement_interrupter``) before the task is cancelled, since
    aiosqlite would otherwise run it to its end. A statement interrupted in flight makes
    SQLAlchemy invalidate the connection and with it the transaction: a mutation's is then
    left for the audit trail to fail on, which answers ``AUDIT_UNAVAILABLE`` and rolls
    everything back (fail closed, the chain intact).
    """
    if seconds <= 0:
        return executor

    class Deadline(executor):  # type: ignore[valid-type,misc]
        def execute_operation(self, serially: bool | None = None) -> Any:
            result = super().execute_operation(serially)
            if self.is_awaitable(result):
                return self._within_deadline(cast("Awaitable[Any]", result))
            return result

        async def _within_deadline(self, pending: Awaitable[Any]) -> Any:
            session: AsyncSession | None = getattr(self.context_value, "session", None)
            savepoint = None
            if session is not None and self.operation.operation == OperationType.MUTATION:
                savepoint = await session.begin_nested()
            interrupt = await statement_interrupter(session) if session is not None else None
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(None) as deadline:
                    # The statement in flight is interrupted before the task is cancelled:
                    # cancelling first would close an SQLite connection still running it.
                    expiry = loop.call_later(seconds, _expire, deadline, interrupt)
                    try:
                        result = await pending
                    finally:
                        expiry.cancel()
            except TimeoutError:
                await self._abandon(session, savepoint)
                return ExecutionResult(data=None, errors=[timeout_error(seconds)])
            if savepoint is not None and savepoint.is_active:
                await savepoint.commit()
            return result

        async def _abandon(
            self,
            session: AsyncSession | None,
            savepoint: AsyncSessionTransaction | None,
        ) -> None:
            for future in list(self.background_futures):
                future.cancel()
                with contextlib.suppress(BaseException):
                    await future
            log.warning("operation abandoned after %gs", seconds)
            try:
                if savepoint is not None:
                    if savepoint.is_active:
                        await savepoint.rollback()
                elif session is not None:
                    await session.rollback()
            except Exception:
                log.exception("rolling back an operation abandoned after %gs failed", seconds)

    Deadline.__name__ = Deadline.__qualname__ = f"Deadline{executor.__name__}"
    return cast("type[E]", Deadline)
