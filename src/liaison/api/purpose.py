"""Why the caller asks (``Liaison-Purpose``) and for which case (``Liaison-Case``): HTTP
headers, or the same names in a websocket's ``connection_init`` payload."""

from __future__ import annotations

import re

PURPOSE_HEADER = "liaison-purpose"
CASE_HEADER = "liaison-case"
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_CASE = re.compile(r"^[^\x00-\x1f\x7f]{1,128}$")


def purpose_problem(purpose: object) -> str | None:
    """What is wrong with a stated purpose, or None (also when none is stated)."""
    if purpose is None or (isinstance(purpose, str) and _PURPOSE.match(purpose)):
        return None
    return (
        "Liaison-Purpose must be a purpose code such as joint_inspection "
        "(lowercase letters, digits and underscores)."
    )


def case_problem(case: object) -> str | None:
    if case is None or (isinstance(case, str) and _CASE.match(case)):
        return None
    return "Liaison-Case must be 1 to 128 printable characters."
