"""Whether this installation can run the registry: the `registry` extra (and `postgres` for
PostgreSQL) is separate from the desktop's packages. Imports nothing heavy itself, so the
desktop and the command line can ask before importing the registry."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

REGISTRY_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "alembic")
POSTGRES_MODULES = ("psycopg",)
# The databases `--db` names: SQLite (a file, or in memory) and PostgreSQL.
DATABASE_URL_PREFIXES = ("sqlite://", "postgresql://", "postgresql+psycopg://")


def missing(modules: Iterable[str] = REGISTRY_MODULES) -> list[str]:
    """Those of `modules` this Python cannot import."""
    return [m for m in modules if importlib.util.find_spec(m) is None]
