"""Small ``application/x-www-form-urlencoded`` bodies and query strings, read strictly: a
size limit counted as the body streams in, UTF-8 only, and no parameter given twice
(RFC 6749 §3.1 and §3.2: request parameters MUST NOT be included more than once)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from typing import Final

from starlette.requests import Request

FORM: Final = "application/x-www-form-urlencoded"
MAX_FORM_BYTES: Final = 4096
_MAX_FIELDS: Final = 32


class FormProblem(ValueError):
    """A body or query that cannot be read; ``status`` is 413 for a body over the limit,
    415 for another media type, else 400. The message names the problem."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


async def read_form(
    request: Request, *, single: Iterable[str], limit: int = MAX_FORM_BYTES
) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise FormProblem(f"the request body must be {FORM}", 415)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FormProblem(f"the request body exceeds {limit} bytes", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FormProblem(f"the request body exceeds {limit} bytes", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FormProblem("the request body cannot be parsed") from None
    return parse_pairs(text, single=single, what="request body")


def parse_pairs(text: str, *, single: Iterable[str], what: str = "query") -> dict[str, str]:
    """The first value of each name; a name in ``single`` given twice is refused."""
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:  # too many fields
        raise FormProblem(f"the {what} cannot be parsed") from None
    once = set(single)
    found: dict[str, str] = {}
    for name, value in pairs:
        if name in found and name in once:
            raise FormProblem(f"{name} must not be repeated")
        found.setdefault(name, value)
    return found
