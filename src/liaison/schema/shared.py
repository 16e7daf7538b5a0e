"""``shared()``: the one way to declare a field of a shared record type.

The declaration names the field's shared element; that name is what agreements grant,
what the gate decides on and what the schema description tells clients. A test walks the
schema and fails on any field of a shared type declared otherwise.
"""

from __future__ import annotations

from typing import Any

import strawberry

from liaison.permissions.catalogue import Access, Element, element

ELEMENT = "liaison.element"

_ACCESS_TEXT = {
    Access.PUBLIC: "Visible to every department.",
    Access.WITH_RECORD: "Visible wherever the record is.",
    Access.GOVERNED: "Shared only through an agreement grant.",
}


def shared(name: str, description: str = "", *, resolver: Any = None) -> Any:
    declared = element(name)
    text = f"{description} [{declared.name}] {_ACCESS_TEXT[declared.access]}".strip()
    if declared.mask is not None:
        text += f" Masked: {declared.mask.description}."
    if resolver is not None:
        return strawberry.field(resolver=resolver, description=text, metadata={ELEMENT: declared})
    return strawberry.field(default=None, description=text, metadata={ELEMENT: declared})


def declared_element(metadata: dict[str, Any] | None) -> Element | None:
    return (metadata or {}).get(ELEMENT)
