"""Dependencies point one way: the model knows nothing of Jinja, WeasyPrint or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

# module → what it must never import (directly)
FORBIDDEN = {
    "errors": {"load", "model", "validate", "site", "render", "build", "cli", "jinja2"},
    "model": {"load", "validate", "site", "render", "build", "cli", "jinja2", "yaml"},
    "load": {"model", "validate", "site", "render", "build", "cli", "jinja2"},
    "validate": {"site", "render", "build", "cli", "jinja2"},
    "site": {"render", "build", "cli", "jinja2", "yaml"},
    "render": {"build", "cli", "load", "validate"},
    "search": {"build", "cli", "load", "validate", "render", "jinja2"},
    "search_index": {"build", "cli", "site", "render", "search"},
}


def imports_of(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_stages_import_only_downward():
    for module, forbidden in FORBIDDEN.items():
        assert not imports_of(module) & forbidden, module
