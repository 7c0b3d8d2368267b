"""app/ is the domain core: it must import no Qt, SQL or HTTP code, nor any outer layer."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

FORBIDDEN = {
    "PySide6", "PyQt5", "PyQt6", "shiboken6",
    "sqlite3", "sqlcipher3", "sqlalchemy", "psycopg", "psycopg2", "alembic",
    "requests", "httpx", "urllib3", "http", "socket", "fastapi", "starlette", "uvicorn",
    "ui", "local_store", "sync", "printing", "registry", "cli", "conformance", "bench",
}  # fmt: skip


def imported_top_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
            if node.module == "urllib" or node.module.startswith("urllib.request"):
                found.add("http")
    return found


def test_no_module_in_app_imports_qt_sql_http_or_an_outer_layer() -> None:
    offenders = {}
    for path in sorted((REPO / "app").rglob("*.py")):
        bad = imported_top_modules(path.read_text(encoding="utf-8")) & FORBIDDEN
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_the_checker_catches_a_forbidden_import() -> None:
    assert imported_top_modules("from PySide6.QtWidgets import QWidget\nimport sqlite3") == {
        "PySide6",
        "sqlite3",
    }


def test_importing_every_app_module_loads_no_forbidden_module() -> None:
    modules = [
        ".".join(p.relative_to(REPO).with_suffix("").parts) for p in (REPO / "app").rglob("*.py")
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        f"print(sorted(set(m.split('.')[0] for m in sys.modules) & set({sorted(FORBIDDEN)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
