"""A registry in its own process on a free loopback port: the embedded registry, the
scenario runner's registry, and the fault tests' (which kill and restart it).

For PostgreSQL, `fresh_database` makes a new, uniquely named database on the server the URL
names and drops it afterwards, so a run never touches existing data.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry.server import create_operator, prepare
from registry.settings import Settings

OPERATOR_EMAIL = "contact-center@registry.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def fresh_database(url: str | None, folder: Path) -> Iterator[str]:
    """A new empty database: a SQLite file in `folder`, or a new database on the
    PostgreSQL server of `url` (dropped at the end)."""
    if url is None or url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'registry.db'}"
        return
    name = f"registry_run_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def cli_command() -> list[str]:
    """How to run `clozapine-desk` as a child: the console program beside a frozen bundle (a
    bundle knows no `-m`, and the windowed program has no standard streams on Windows), or
    this Python with `-m cli.main`."""
    if getattr(sys, "frozen", False):
        program = Path(sys.executable)
        console = program.with_name("clozapine-desk-cli" + program.suffix)
        return [str(console if console.exists() else program)]
    return [sys.executable, "-m", "cli.main"]


class RegistryProcess:
    """`clozapine-desk registry serve` as a child process."""

    def __init__(
        self,
        db_url: str,
        *,
        test_clock: bool = True,
        workers: int = 1,
        operator_password: str | None = None,
        port: int | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.db_url = db_url
        self.tls = tls  # (certificate, key), PEM
        self.test_clock = test_clock
        self.workers = workers
        self.port = port or free_port()
        self.operator_password = operator_password or secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None
        # The child's errors go to an unnamed temporary file (gone when closed): a pipe
        # nobody reads would block a registry that logs a lot. Kept across restarts.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as this object
        settings = Settings(db_url=db_url, test_clock=test_clock)
        settings.argon2_time_cost, settings.argon2_memory_kib = 1, 8192
        engine = prepare(settings)
        create_operator(engine, settings, OPERATOR_EMAIL, self.operator_password)
        engine.dispose()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> RegistryProcess:
        command = [
            *cli_command(),
            "registry",
            "serve",
            "--db",
            self.db_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--exit-with-parent",
        ]
        if self.test_clock:
            command += ["--test-clock", "--fast-hash"]
        if self.tls:
            command += ["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
        self.process = subprocess.Popen(
            command,
            # A pipe only this process holds: when it ends, however it ends (even SIGKILL),
            # the pipe closes and the registry stops (`exit_when_parent_goes`).
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the registry did not start: {self.log()[-2000:]}")
            try:
                # Only "is it up?": the certificate is the client's business, checked there.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    up = requests.get(self.url + "/v1/handshake", timeout=1, verify=False).ok
                if up:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the registry did not answer within its start-up time")

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing is flushed, nothing is said goodbye."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._close_pipe()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipe()

    def _close_pipe(self) -> None:
        if self.process and self.process.stdin:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def log(self) -> str:
        """What the registry wrote to stderr so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace").strip()

    def __enter__(self) -> RegistryProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def exit_when_parent_goes(stdin: BinaryIO | None = None) -> None:
    """In the registry's own process: stop when the standard input the parent holds closes,
    which happens however the parent ends (a crash, SIGKILL, a closed window) on every
    system. A polite SIGTERM first (uvicorn stops its workers); if that has not ended the
    process in 10 s, it exits anyway."""
    stream = stdin if stdin is not None else sys.stdin.buffer

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            while stream.read(4096):
                pass  # nothing is ever sent: only the end of the pipe matters
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def exit_when_supervisor_goes() -> None:
    """In a worker of `registry serve --workers N`: stop when the supervisor that started it
    is gone. uvicorn's supervisor stops its workers when it is stopped, but not when it is
    killed outright (SIGKILL, the OOM killer), and orphaned workers would go on answering on
    the port, holding it, so a restarted registry could not bind it. No-op in a registry of
    one process (its parent is whoever started it, which may end without stopping it),
    unless that process was itself started by multiprocessing: then it follows that parent."""
    import multiprocessing
    from multiprocessing.connection import wait

    supervisor = multiprocessing.parent_process()
    if supervisor is None:
        return

    def watch() -> None:
        wait([supervisor.sentinel])  # readable once the supervisor has ended
        os._exit(1)  # an act in progress rolls back with the connection

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()
