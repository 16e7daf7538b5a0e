"""``liaison agreements``: agreements to and from readable policy files."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from liaison.api.cli import _settings, data_dir_option, database_option
from liaison.db.agreement_lifecycle import find_version, spec_of
from liaison.db.agreements import store_agreement
from liaison.db.directory import UnknownDepartment
from liaison.db.engine import create_engine, session_factory
from liaison.permissions.policy_file import AgreementSpec, PolicyFileError, load_policy_file


@click.group()
def agreements() -> None:
    """Import and export agreements as policy files (YAML or TOML)."""


@agreements.command("import")
@database_option
@data_dir_option
@click.argument("policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--activate",
    is_flag=True,
    help="Store it active and signed by every party (bootstrapping an operator-managed "
    "deployment). Without it the version is proposed and awaits each steward's signature.",
)
def import_(
    database_url: str | None, data_dir: Path | None, policy_file: Path, activate: bool
) -> None:
    """Store POLICY_FILE as a new agreement, or as a new version of the one with its code."""
    try:
        spec = load_policy_file(policy_file)
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from None
    settings = _settings(database_url, data_dir)

    async def store() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await store_agreement(
                    session,
                    spec,
                    status="active" if activate else "proposed",
                    created_by=f"liaison agreements import {policy_file.name}",
                    signed_at=dt.datetime.now(dt.UTC) if activate else None,
                )
        finally:
            await engine.dispose()

    try:
        version = asyncio.run(store())
    except UnknownDepartment as exc:
        raise click.ClickException(str(exc)) from None
    state = "active" if activate else "proposed, awaiting every party's signature"
    click.echo(f"{spec.code} version {version}: {state}")


@agreements.command()
@database_option
@data_dir_option
@click.argument("code")
@click.option("--version", type=int, default=None, help="Default: the version in force.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(
    database_url: str | None,
    data_dir: Path | None,
    code: str,
    version: int | None,
    output: Path | None,
) -> None:
    """Write agreement CODE as a YAML policy file (to stdout by default)."""
    settings = _settings(database_url, data_dir)

    async def load() -> AgreementSpec | None:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                stored = await find_version(session, code, version)
                return None if stored is None else await spec_of(session, stored)
        finally:
            await engine.dispose()

    spec = asyncio.run(load())
    if spec is None:
        raise click.ClickException(
            f"no agreement {code!r}" + (f" version {version}" if version else "")
        )
    text = yaml.safe_dump(as_policy_document(spec), sort_keys=False, allow_unicode=True)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


def as_policy_document(spec: AgreementSpec) -> dict[str, Any]:
    """The policy-file form of ``spec``; grants with the same terms share one entry."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for grant in spec.grants:
        fields = {name: level.name.lower() for name, level in sorted(grant.fields.items())}
        key = (
            grant.provider,
            grant.record_type,
            tuple(fields.items()),
            tuple(sorted(grant.purposes)),
            tuple((facet, tuple(values)) for facet, values in grant.scope.as_mapping().items()),
            grant.during,
        )
        entry = merged.setdefault(
            key,
            {
                "provider": grant.provider,
                "consumers": [],
                "record_type": grant.record_type,
                "purposes": sorted(grant.purposes),
                **({"scope": grant.scope.as_mapping()} if not grant.scope.everything else {}),
                **({"during": grant.during} if grant.during is not None else {}),
                "fields": fields,
            },
        )
        entry["consumers"].append(grant.consumer)
    return {
        "agreement": spec.code,
        "title": spec.title,
        "legal_basis": spec.legal_basis,
        "purposes": list(spec.purposes),
        "valid_from": spec.valid_from.isoformat(),
        "valid_until": spec.valid_until.isoformat(),
        "parties": list(spec.parties),
        "grants": list(merged.values()),
    }
