"""Errors clients can read: a message that says what to do, and a stable code."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

FORBIDDEN = "FORBIDDEN"
PURPOSE_REQUIRED = "PURPOSE_REQUIRED"
BAD_USER_INPUT = "BAD_USER_INPUT"


def error(code: str, message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def bad_input(message: str, *, field: str) -> GraphQLError:
    return error(BAD_USER_INPUT, message, field=field)


def forbidden(message: str, **extensions: Any) -> GraphQLError:
    return error(FORBIDDEN, message, **extensions)
