"""The registry served in a thread of the test process (uvicorn on a free loopback port),
when a test must move the registry's wall clock; `registry.process` runs it as a child
process when a test must kill it."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from sqlalchemy import Engine

from app.clock import ManualClock
from registry.api import create_app
from registry.process import OPERATOR_EMAIL, free_port
from registry.server import create_operator, prepare
from registry.settings import Settings

OPERATOR_PASSWORD = "contact center test password"


def registry_settings(db_url: str, **overrides: object) -> Settings:
    settings = Settings(db_url=db_url, test_clock=True, **overrides)  # type: ignore[arg-type]
    settings.argon2_time_cost, settings.argon2_memory_kib = 1, 8192
    return settings


@dataclass
class ServedRegistry:
    url: str
    settings: Settings
    engine: Engine
    wall: ManualClock | None = None  # the registry's wall clock, when a test moves it


@contextlib.contextmanager
def serve_in_thread(
    settings: Settings, wall: ManualClock | None = None
) -> Iterator[ServedRegistry]:
    engine = prepare(settings)
    create_operator(engine, settings, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the registry did not start")
        time.sleep(0.01)
    try:
        yield ServedRegistry(f"http://127.0.0.1:{port}", settings, engine, wall)
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()
