"""``liaison departments``: the departments that share records, as data."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.api.cli_run import run_in_transaction as _run
from liaison.db import departments as repository
from liaison.db.directory import UnknownDepartment
from liaison.db.ledger_models import DepartmentLevel

# The kinds the record rules know (db.rules.WRITER_KINDS); others may read and be granted.
KINDS = (
    "customs",
    "emergency_management",
    "market_supervision",
    "park_committee",
    "ecology_environment",
)


@click.group()
def departments() -> None:
    """Departments: code, name, kind, and their place (level, parent)."""


@departments.command("add")
@database_option
@data_dir_option
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--level", required=True, type=click.Choice([v.value for v in DepartmentLevel]))
@click.option("--parent", default=None, help="Code of the department above it.")
def add_department(
    database_url: str | None,
    data_dir: Path | None,
    code: str,
    name: str,
    kind: str,
    level: str,
    parent: str | None,
) -> None:
    """Add a department. CODE: 2 to 32 lowercase letters, digits, '_' or '-'."""
    from liaison.db.migrate import upgrade

    if not repository.CODE.fullmatch(code):
        raise click.BadParameter(
            "use 2 to 32 lowercase letters, digits, '_' or '-', starting with a letter",
            param_hint="CODE",
        )
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    settings = _settings(database_url, data_dir)
    upgrade(settings.database_url)

    async def add(session: AsyncSession) -> repository.DepartmentRow:
        return await repository.add_department(
            session,
            code=code,
            name=name.strip(),
            kind=kind,
            level=DepartmentLevel(level),
            parent=parent,
        )

    try:
        row = _run(settings.database_url, add)
    except repository.DepartmentExists:
        raise click.ClickException(f"department {code!r} already exists") from None
    except UnknownDepartment:
        raise click.ClickException(f"no department {parent!r} in the database") from None
    except repository.MisplacedParent as exc:
        raise click.ClickException(str(exc)) from None
    under = f", under {row.parent}" if row.parent else ""
    click.echo(f"department {row.code} added: {row.kind}, {row.level}{under}")


@departments.command("list")
@database_option
@data_dir_option
def list_departments(database_url: str | None, data_dir: Path | None) -> None:
    """Every department, with its kind, level and parent."""
    settings = _settings(database_url, data_dir)
    for row in _run(settings.database_url, repository.list_departments):
        click.echo("\t".join((row.code, row.kind, row.level or "-", row.parent or "-", row.name)))
