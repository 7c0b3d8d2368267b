"""A loopback HTTP proxy that misbehaves on purpose, between the sync client and a real
registry: it resets connections, answers 500, holds answers past the client's timeout, and
delivers a request twice. Faults that happen after forwarding are the hard ones: the
registry acted, the client never heard. Besides faults at random (`rate`), a test can `plan`
the faults the next requests to one path meet, and read the Idempotency-Keys each path got."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

FAULTS = (
    "reset_before",  # the request never reaches the registry
    "reset_after",  # the registry acts; the connection drops before the answer
    "500_before",  # the proxy answers 500 without forwarding
    "500_after",  # the registry acts; the client gets a 500
    "delay_after",  # the registry acts; the answer comes after the client gave up
    "duplicate",  # the registry gets the request twice
)
# Planned only: the answer the registry gives while it is still acting on the same key.
IN_FLIGHT = "in_flight"
IN_FLIGHT_BODY = (
    b'{"error":"IN_FLIGHT","message":"This request is still being processed. Try again in a '
    b'moment."}'
)


class FaultProxy:
    def __init__(self, upstream: str, rate: float, seed: int, delay: float = 2.5) -> None:
        self.upstream = upstream.rstrip("/")
        self.rate = rate
        self.delay = delay
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.planned: defaultdict[str, deque[str | None]] = defaultdict(deque)
        self.keys: defaultdict[str, list[str]] = defaultdict(list)  # per path, as they came
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy.handle(self, "GET")

            def do_POST(self) -> None:
                proxy.handle(self, "POST")

            def do_PUT(self) -> None:
                proxy.handle(self, "PUT")

            def do_DELETE(self) -> None:
                proxy.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_: None  # type: ignore[method-assign]  # resets
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def plan(self, path: str, *faults: str | None) -> None:
        """The next POSTs to `path` meet `faults` in turn (None: no fault), then none."""
        with self.lock:
            self.planned[path].extend(faults)

    def _fault(self, method: str, path: str) -> str | None:
        with self.lock:
            if method == "POST" and self.planned[path]:
                fault = self.planned[path].popleft()
                if fault is not None:
                    self.seen[fault] += 1
                return fault
        if method != "POST" or not path.startswith(("/v1/batch", "/v1/psfs")):
            return None
        with self.lock:
            if self.rng.random() >= self.rate:
                return None
            fault = self.rng.choice(FAULTS)
            self.seen[fault] += 1
            return fault

    def _forward(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> Any:
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")
        }
        return requests.request(
            method, self.upstream + handler.path, data=body, headers=headers, timeout=30
        )

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if method == "POST":
            with self.lock:
                self.keys[handler.path].append(handler.headers.get("Idempotency-Key", ""))
        fault = self._fault(method, handler.path)
        if fault == IN_FLIGHT:
            _answer(handler, 409, IN_FLIGHT_BODY)
            return
        if fault == "reset_before":
            _reset(handler)
            return
        if fault == "500_before":
            _answer(handler, 500, b'{"error":"PROXY","message":"injected"}')
            return
        try:
            response = self._forward(handler, method, body)
            if fault == "duplicate":
                response = self._forward(handler, method, body)
        except requests.RequestException:
            _answer(handler, 502, b'{"error":"BAD_GATEWAY","message":"registry down"}')
            return
        if fault == "reset_after":
            _reset(handler)
            return
        if fault == "500_after":
            _answer(handler, 500, b'{"error":"PROXY","message":"injected"}')
            return
        if fault == "delay_after":
            time.sleep(self.delay)
        headers = {"Idempotent-Replay": response.headers.get("Idempotent-Replay", "")}
        _answer(handler, response.status_code, response.content, headers)


def _answer(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            if value:
                handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:
        pass  # the client already gave up (timeout)


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close with RST (SO_LINGER 0), as a crashed peer or a dropped network does."""
    sock = handler.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    except OSError:
        pass
    handler.close_connection = True
