"""The shape of the code itself: every package is a real package, the layers of
docs/architecture.md hold (the same contract `scripts/test` runs with `lint-imports`), and
the audit log is written one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ashyq"
# Alembic's folders hold scripts it runs by path, not modules anything imports.
NOT_PACKAGES = {PACKAGE / "db" / "migrations", PACKAGE / "db" / "migrations" / "versions"}


def test_every_folder_of_modules_is_a_package() -> None:
    # A folder without __init__.py is a namespace package, which import-linter cannot see:
    # its imports would break the layers unchecked.
    missing = sorted(
        str(folder.relative_to(ROOT))
        for folder in {path.parent for path in PACKAGE.rglob("*.py")}
        if folder not in NOT_PACKAGES and not (folder / "__init__.py").exists()
    )
    assert missing == []


def _contract(name: str) -> dict[str, list[str]]:
    contract: dict[str, list[str]]
    (contract,) = [
        options
        for options in read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
        if options["id"] == name
    ]
    return contract


@pytest.mark.parametrize(
    ("contract", "folder"), [("layers", PACKAGE), ("web-features", PACKAGE / "web")]
)
def test_the_layers_name_every_package_and_module_once(contract: str, folder: Path) -> None:
    named = [name.strip() for layer in _contract(contract)["layers"] for name in layer.split("|")]
    present = {
        path.stem if path.is_file() else path.name
        for path in folder.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.name != "__init__.py")
    }
    assert len(named) == len(set(named))
    assert set(named) == present


def test_every_command_group_of_the_cli_stands_alone() -> None:
    # A new command module joins the independence contract; only the shared modules are
    # left out of it.
    shared = {"__init__", "common", "options"}
    commands = {path.stem for path in (PACKAGE / "cli").glob("*.py")} - shared
    assert sorted(_contract("cli-commands")["modules"]) == sorted(
        f"ashyq.cli.{name}" for name in commands
    )


def test_audit_rows_are_built_only_by_the_audit_module() -> None:
    # ``access.audit.record`` and ``access.audit.entry`` are the one way to write the log.
    builders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() in {"access/audit.py", "db/models.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "AuditEntry"
            ):
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Dict) and any(
                isinstance(key, ast.Constant) and key.value == "object_type" for key in node.keys
            ):
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert builders == []
