"""Parsing and validating the same document again on every request is a large share of a
small page's CPU: both results depend only on the document (and on the parse options, which
carry the document limits, and the schema), so they are kept in bounded LRU caches shared
by every request of the process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache

from graphql.language.parser import parse
from strawberry.extensions import SchemaExtension, ValidationCache

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


class CachedValidation(ValidationCache):
    """Validation from the cache, unless a document limit has refused the operation
    already (its errors must stand, and validating such a document is what the limit
    exists to avoid)."""

    def __init__(self) -> None:
        super().__init__(maxsize=DOCUMENTS)

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()
