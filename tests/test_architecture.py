"""app/ is the domain core: it must import no Qt, SQL or HTTP code, nor any outer layer."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

FORBIDDEN = {
    "PySide6", "PyQt5", "PyQt6", "shiboken6",
    "sqlite3", "sqlcipher3", "sqlalchemy", "psycopg", "psycopg2", "alembic",
    "requests", "httpx", "urllib3", "http", "socket", "ssl", "truststore", "fastapi", "starlette",
    "uvicorn",
    "ui", "local_store", "sync", "printing", "registry", "cli", "conformance", "bench",
    "lab_import", "hl7",
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


# The window stands on the application layer: widgets import the domain (`app`), the
# application layer (`desk`) and `printing`, never the store, the sync link or the registry,
# and never reach into the store's own parts around the session's checks.
UI_FORBIDDEN = {"local_store", "sync", "registry", "sqlite3", "sqlcipher3", "requests"}
STORE_PARTS = {"ledger", "db", "forms", "outbox", "sync_state", "audit", "second_connection"}


def reaches_into_the_store(source: str) -> set[str]:
    """Attribute reads like `session.ledger` or `self.session.outbox` in a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and node.attr in STORE_PARTS):
            continue
        owner = node.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if name == "session":
            found.add(f"session.{node.attr}")
    return found


def test_no_module_in_ui_imports_the_store_sync_or_the_registry() -> None:
    offenders = {}
    for path in sorted((REPO / "ui").rglob("*.py")):
        bad = imported_top_modules(path.read_text(encoding="utf-8")) & UI_FORBIDDEN
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_no_module_in_ui_reaches_into_the_store_around_the_session() -> None:
    offenders = {}
    for path in sorted((REPO / "ui").rglob("*.py")):
        bad = reaches_into_the_store(path.read_text(encoding="utf-8"))
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_the_checker_catches_a_reach_into_the_store() -> None:
    source = "rows = self.session.outbox.items()\nx = session.ledger.patient('p')\ny = a.db"
    assert reaches_into_the_store(source) == {"session.outbox", "session.ledger"}


# The registry adapts, it does not decide (issue 16): who may do what, and who reaches which
# patient, is app/'s (app.roles, app.use_cases.access, app.use_cases.scope). In registry/ a
# role is passed to app/, stored, printed, or looked up in a table keyed by role (the
# assessment's questions), never compared, and never broken into its kinds (`is_office`).
REGISTRY_SKIPPED = {"migrations"}


def _is_column(node: ast.expr) -> bool:
    """`t.accounts.c.role`: a table's column in a SQL filter, not an account's role."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "c"
    )


def _mentions_a_role(node: ast.expr) -> bool:
    for part in ast.walk(node):
        if isinstance(part, ast.Attribute) and part.attr == "role" and not _is_column(part):
            return True
        if isinstance(part, ast.Attribute) and getattr(part.value, "id", "") == "Role":
            return True
        if isinstance(part, ast.Name) and part.id == "role":
            return True
    return False


def role_decisions(source: str) -> list[int]:
    """Lines where a module compares a role or asks a role for its kind."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if not any(_is_column(o) for o in operands) and any(
                _mentions_a_role(o) for o in operands
            ):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "role"
            and node.attr.startswith("is_")
        ):
            found.append(node.lineno)
    return sorted(set(found))


def test_the_registry_compares_no_role_itself() -> None:
    offenders = {}
    for path in sorted((REPO / "registry").rglob("*.py")):
        if REGISTRY_SKIPPED & set(path.relative_to(REPO).parts):
            continue
        lines = role_decisions(path.read_text(encoding="utf-8"))
        if lines:
            offenders[str(path.relative_to(REPO))] = lines
    assert offenders == {}, "decide in app/ (app.use_cases.access or scope) and call it"


def test_the_role_checker_catches_what_the_registry_once_did() -> None:
    decided = (
        "if account.role is Role.PROGRAM_OPERATOR:\n    pass\n"
        "if actor.role not in (Role.PRESCRIBER, Role.PHARMACY_AR):\n    pass\n"
        "if not actor.role.is_pharmacy or not actor.pharmacy_id:\n    pass\n"
        "if role == 'designee':\n    pass\n"
    )
    assert role_decisions(decided) == [1, 3, 5, 7]
    adapted = (
        "if not may(account.role, Action.LOOK_UP_PATIENT):\n    pass\n"
        "body = {'role': account.role.value}\n"
        "account = Account('ar-1', Role.PHARMACY_AR, 'Lena')\n"
        "designees = t.accounts.c.role == Role.DESIGNEE.value\n"
        "questions = _QUESTIONS.get(role, ())\n"
    )
    assert role_decisions(adapted) == []
