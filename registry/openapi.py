"""Writes the registry's OpenAPI document (committed as docs/registry-openapi.json; a test
checks it against the running registry):

    .venv/bin/python -m registry.openapi > docs/registry-openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from registry.api import create_app
from registry.database import make_engine
from registry.settings import Settings


def document() -> dict[str, Any]:
    """The API as served in production (no test-clock routes)."""
    settings = Settings(db_url="sqlite://")
    result: dict[str, Any] = create_app(settings, make_engine(settings.db_url)).openapi()
    return result


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dumps(document()))
