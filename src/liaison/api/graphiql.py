"""GraphiQL served entirely by this server: its assets come from an installed package, so
the IDE works on a network with no internet access."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.staticfiles import StaticFiles

_TEMPLATE = resources.files("liaison.api") / "templates" / "graphiql.html"


def graphiql_page() -> str:
    return _TEMPLATE.read_text(encoding="utf-8")


def graphiql_assets() -> StaticFiles:
    package = resources.files("graphene_django_graphiql_static")
    directory = Path(str(package)) / "static" / "graphene_django_graphiql_static"
    return StaticFiles(directory=directory)
