"""Processes as /proc shows them (Linux), for the tests that check nothing is left running:
who descends from whom, who is still alive, and a server that has started answering."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import requests

PROC = Path("/proc")


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: its children, theirs, and so on."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        children = [child for child, up in parents.items() if up == parent]
        found += children
        queue += children
    return found


def alive(pid: int) -> bool:
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def all_gone(pids: list[int], seconds: float) -> bool:
    """Whether every one of `pids` has ended within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    return not any(alive(pid) for pid in pids)


def command(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def handshake(
    url: str, server: subprocess.Popen[bytes], seconds: float = 60
) -> requests.Response | None:
    """The registry's handshake once it answers (None: it ended or did not answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"{url}/v1/handshake", timeout=2)
        time.sleep(0.2)
    return None
