"""The layers of DESIGN.md, checked: domain <- store <- services <- cli / dashboard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# layer -> the evidence.* packages it may import (besides itself)
ALLOWED = {
    "evidence.domain": {"evidence.errors"},
    "evidence.formats": {"evidence.domain", "evidence.errors"},
    "evidence.store": {"evidence.domain", "evidence.errors", "evidence.settings", "evidence.clock"},
    "evidence.remote": {
        "evidence.formats",
        "evidence.domain",
        "evidence.errors",
        "evidence.clock",
        "evidence.settings",
        "evidence.version",
    },
    "evidence.services": {
        "evidence.remote",
        "evidence.formats",
        "evidence.domain",
        "evidence.errors",
        "evidence.store",
        "evidence.clock",
        "evidence.settings",
    },
    "evidence.cli": {
        "evidence.domain",
        "evidence.errors",
        "evidence.store",
        "evidence.services",
        "evidence.settings",
        "evidence.clock",
        "evidence.paths",
    },
    "evidence.webui": {
        "evidence.domain",
        "evidence.errors",
        "evidence.store",
        "evidence.services",
        "evidence.settings",
        "evidence.clock",
    },
    "dashboard": {"evidence.domain", "evidence.errors", "evidence.webui"},
}
FOREIGN = {
    "evidence.domain": {"httpx", "streamlit", "typer", "rich", "psycopg", "yaml"},
    "evidence.formats": {"httpx", "streamlit", "typer", "rich", "sqlalchemy", "sqlmodel"},
    "evidence.store": {"httpx", "streamlit", "typer", "rich"},
    "evidence.remote": {"streamlit", "typer", "rich", "sqlalchemy", "sqlmodel", "psycopg"},
    "evidence.services": {"streamlit", "typer", "rich", "httpx"},
    "evidence.cli": {"streamlit"},
}


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted([*ROOT.glob("evidence/**/*.py"), *ROOT.glob("dashboard/**/*.py")]):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        layer = next(
            (name for name in ALLOWED if dotted == name or dotted.startswith(name + ".")), None
        )
        if layer:
            found.append((layer, path))
    return found


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "evidence":  # from evidence import clock -> evidence.clock
                names.update(f"evidence.{a.name}" for a in node.names)
            else:
                names.add(node.module)
    return names


@pytest.mark.parametrize(("layer", "path"), modules(), ids=lambda v: str(v))
def test_each_module_imports_only_from_layers_below(layer: str, path: Path) -> None:
    allowed = ALLOWED[layer] | {layer}
    for name in imported(path):
        if name.startswith("evidence"):
            assert any(name == a or name.startswith(a + ".") for a in allowed), (
                f"{path.relative_to(ROOT)} imports {name}"
            )
        assert name.split(".")[0] not in FOREIGN.get(layer, set()), (
            f"{path.relative_to(ROOT)} imports {name}"
        )


def test_every_layer_has_modules() -> None:
    assert {layer for layer, _ in modules()} == set(ALLOWED)


def test_every_package_is_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("evidence/*/__init__.py")}
    assert {f"evidence.{name}" for name in packages} <= set(ALLOWED)


# inside services: what each kind may import of the others (issue 15). Views read; they
# never reach for the writers or the bulk transfers, so a page cannot write by accident.
KINDS = {
    "evidence.services.views": {"evidence.services.views"},
    "evidence.services.records": {"evidence.services.records", "evidence.services.views"},
    "evidence.services.metadata": {
        "evidence.services.metadata",
        "evidence.services.records",
        "evidence.services.views",
    },
    "evidence.services.transfer": {
        "evidence.services.transfer",
        "evidence.services.records",
        "evidence.services.views",
    },
    # a search's records go through the import's matching, and an inclusion makes a link
    "evidence.services.finding": {
        "evidence.services.finding",
        "evidence.services.records",
        "evidence.services.transfer",
        "evidence.services.views",
    },
}


def test_services_are_grouped_by_kind() -> None:
    loose = sorted(p.name for p in (ROOT / "evidence/services").glob("*.py"))
    assert loose == ["__init__.py"]
    kinds = {p.parent.name for p in (ROOT / "evidence/services").glob("*/__init__.py")}
    assert {f"evidence.services.{k}" for k in kinds} == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_of_service_imports_only_the_kinds_it_may(kind: str) -> None:
    for path in sorted((ROOT / kind.replace(".", "/")).glob("*.py")):
        for name in imported(path):
            if name.startswith("evidence.services."):
                assert any(name == k or name.startswith(k + ".") for k in KINDS[kind]), (
                    f"{path.relative_to(ROOT)} imports {name}"
                )
