"""The desktop never follows a redirect: a registry address that answers 3xx gets a clear
refusal, and whatever the redirect points at receives nothing (a 307 would have re-sent the
request's body there, a password or a patient, perhaps over plain http)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from local_store.outbox import Outbox, OutboxState
from sync.client import RegistryClient, RegistryRedirected
from sync.engine import Connectivity, sync_once
from tests.support.desk_outbox import open_desk, psf_body


class Recorded(BaseHTTPRequestHandler):
    """Answers every request with `answer` (and `location`); keeps what it was sent."""

    answer = 200
    location = ""
    received: list[tuple[str, str, bytes]]

    def _any(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        self.received.append((self.command, self.path, self.rfile.read(size)))
        body = b'{"access_token": "a", "refresh_token": "r", "account": {}}'
        self.send_response(self.answer)
        if self.location:
            self.send_header("Location", self.location + self.path)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, *_: object) -> None:  # keep the test output quiet
        pass


@contextlib.contextmanager
def served(answer: int, location: str = "") -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    received: list[tuple[str, str, bytes]] = []
    handler = type(
        "Handler", (Recorded,), {"answer": answer, "location": location, "received": received}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_sign_in_is_refused_and_the_password_goes_nowhere(status: int) -> None:
    with served(200) as (elsewhere, got_there), served(status, elsewhere) as (registry, asked):
        client = RegistryClient(registry)
        with pytest.raises(RegistryRedirected) as refused:
            client.sign_in("dr.okafor@clinic.example", "a password never re-sent")
        client.close()
    assert len(asked) == 1  # the configured registry was asked, once
    assert got_there == []
    words = str(refused.value)
    assert f"answered {status}" in words and elsewhere in words
    assert "nothing was sent there" in words
    assert client.access_token is None


def test_a_sync_against_a_redirecting_registry_sends_nothing_on_and_says_why(
    tmp_path: Path,
) -> None:
    db = open_desk(tmp_path / "desk")
    Outbox(db).enqueue(
        "psf-1", "submit_psf", "patient:p-1", psf_body("p-1", 1800, "2026-03-01"),
        dt.datetime.now(dt.UTC),
    )  # fmt: skip
    with served(200) as (elsewhere, got_there), served(307, elsewhere) as (registry, _):
        client = RegistryClient(registry)
        report = sync_once(db, client, lambda: dt.datetime.now(dt.UTC))
        client.close()
    assert got_there == []
    assert report.connectivity is Connectivity.OFFLINE
    assert report.problem is not None and "answered 307" in report.problem
    assert "Work is kept and queued" in report.problem
    item = Outbox(db).get("psf-1")
    assert item is not None and item.state is OutboxState.QUEUED
    db.close()
