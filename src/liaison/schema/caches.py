"""Validating the same document again on every request is a large share of a small page's
CPU: the result depends only on the document (and the schema), so it is kept in a bounded
LRU cache shared by every request of the process. (Parsing is not cached: the document
limits are enforced while parsing, over HTTP and websockets alike.)"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import ValidationCache

DOCUMENTS = 512


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
