"""Agreements round-trip through readable policy files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from liaison.api.cli import main
from liaison.permissions.policy_file import PolicyFileError, load_policy_file
from world import World

MEMORANDUM = Path(str(resources.files("liaison.db.demo") / "memorandum.yaml"))


def _grants(path: Path) -> set[tuple[object, ...]]:
    spec = load_policy_file(path)
    return {
        (
            g.provider,
            g.consumer,
            g.record_type,
            tuple(sorted(g.fields.items())),
            g.purposes,
            g.scope,
            g.during,
        )
        for g in spec.grants
    }


def test_an_imported_policy_file_exports_to_the_same_terms(
    database_url: str, world: World, tmp_path: Path
) -> None:
    runner = CliRunner()
    imported = runner.invoke(
        main,
        ["agreements", "import", str(MEMORANDUM), "--activate", "--database-url", database_url],
    )
    assert imported.exit_code == 0, imported.output
    assert "version 1: active" in imported.output

    exported_file = tmp_path / "exported.yaml"
    exported = runner.invoke(
        main,
        [
            "agreements",
            "export",
            "ftz-joint-supervision-memorandum",
            "--output",
            str(exported_file),
            "--database-url",
            database_url,
        ],
    )

    assert exported.exit_code == 0, exported.output
    assert _grants(exported_file) == _grants(MEMORANDUM)
    assert load_policy_file(exported_file).valid_until == load_policy_file(MEMORANDUM).valid_until


def test_importing_again_makes_a_proposed_new_version(database_url: str, world: World) -> None:
    runner = CliRunner()
    args = ["agreements", "import", str(MEMORANDUM), "--database-url", database_url]
    runner.invoke(main, [*args, "--activate"])

    again = runner.invoke(main, args)

    assert again.exit_code == 0, again.output
    assert "version 2: proposed" in again.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["grants"][0]["fields"].update({"secret": "full"}), "not a shareable field"),
        (lambda d: d["grants"][0].update({"fields": {"all": "full"}}), "not a shareable field"),
        (lambda d: d.update({"parties": ["customs"]}), "not a party"),
        (lambda d: d.update({"colour": "blue"}), "unknown key(s): colour"),
        (lambda d: d["grants"][0].update({"purposes": ["espionage"]}), "among the agreement"),
    ],
)
def test_a_policy_file_that_would_share_more_than_it_says_is_rejected(
    tmp_path: Path, edit: object, message: str
) -> None:
    document = yaml.safe_load(MEMORANDUM.read_text(encoding="utf-8"))
    edit(document)  # type: ignore[operator]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")

    with pytest.raises(PolicyFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_policy_file(path)


def test_a_toml_policy_file_reads_like_its_yaml_twin(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        """
agreement = "toml-mou"
title = "t"
legal_basis = "b"
purposes = ["joint_inspection"]
valid_from = 2026-01-01T00:00:00Z
valid_until = 2027-01-01T00:00:00Z
parties = ["customs", "emergency"]

[[grants]]
provider = "customs"
consumers = ["emergency"]
record_type = "credit_rating"
fields = { grade = "full", score = "masked" }
""",
        encoding="utf-8",
    )

    spec = load_policy_file(path)

    assert [(g.consumer, dict(g.fields)) for g in spec.grants] == [
        ("emergency", {"grade": 2, "score": 1})
    ]
