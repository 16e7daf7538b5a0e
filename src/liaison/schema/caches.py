"""Parsing and validating the same document again on every request is a large share of a
small page's CPU: both results depend only on the document (and on the parse options, which
carry the document limits, and the schema), so they are kept in bounded LRU caches shared
by every request of the process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from graphql.language.parser import parse
from graphql.validation import ASTValidationRule, validate
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from liaison.limits import Limits
from liaison.schema.limits import limit_error

DOCUMENTS = 512

# Keyed by the text and the parse options: the limits the parser enforces are part of the
# key, so a document is only ever taken from the cache under the limits it was parsed
# within. A refusal (syntax error, a limit) is an exception, and exceptions are not cached.
_parsed = lru_cache(maxsize=DOCUMENTS)(parse)


class CachedParsing(SchemaExtension):
    """A document parsed before, from the cache. Anything that does not parse is left to
    strawberry's own parse, which raises it again and reports it as it always does."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.query and execution.graphql_document is None:
            with suppress(Exception):
                execution.graphql_document = _parsed(execution.query, **execution.parse_options)
        yield


def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    max_errors: int,
) -> list[GraphQLError]:
    """graphql-core's validation with strawberry's own two rules (what strawberry's
    ``validate_document`` runs), stopping after ``max_errors``: the error list must not
    grow with the document. The error that says so is a ``LIMIT_EXCEEDED`` like the others."""
    found = validate(
        schema,
        document,
        (*rules, MaybeNullValidationRule, OneOfInputValidationRule),
        max_errors=max_errors or sys.maxsize,
    )
    if found and isinstance(found[-1], ValidationAbortedError):
        found[-1] = limit_error(
            "validationErrors",
            f"Validation stopped after {max_errors} errors; correct these and send the "
            "document again.",
            maximum=max_errors,
            found=max_errors + 1,
        )
    return found


# Keyed by schema, document (compared by structure and locations), rules and the cap.
_validated = lru_cache(maxsize=DOCUMENTS)(_validate)


class CachedValidation(SchemaExtension):
    """Validation from the cache, unless a document limit has refused the operation
    already (its errors must stand, and validating such a document is what the limit
    exists to avoid)."""

    def __init__(self, *, limits: Limits) -> None:
        self.max_errors = limits.max_validation_errors

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.pre_execution_errors is None and execution.graphql_document is not None:
            execution.pre_execution_errors = _validated(
                execution.schema._schema,
                execution.graphql_document,
                tuple(execution.validation_rules),
                self.max_errors,
            )
        yield
