"""Ending the app any way at all ends its embedded registry too: a polite SIGTERM, SIGINT or
SIGHUP (the window closes as if the person closed it), and even SIGKILL (the registry sees
its parent's pipe close). Before, a killed app left the registry running, orphaned,
holding its port and the demo's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import alive, all_gone, descendants

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")

REPO = Path(__file__).resolve().parent.parent


def _is_registry(pid: int) -> bool:
    try:
        command = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"registry" in command and b"serve" in command


def _start_demo_app(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    """The app on the demo clinic (made on this first start), and its registry's pid."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "bench.memory_keyring.MemoryKeyring",
        "PYTHONPATH": str(REPO),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "app", "--demo", "--data-dir", str(folder)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        registries = [pid for pid in descendants(app.pid) if _is_registry(pid)]
        if registries:
            return app, registries[0]
        assert app.poll() is None, "the app ended before its registry started"
        time.sleep(0.2)
    app.kill()
    raise AssertionError("the demo's registry did not start")


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_the_embedded_registry_ends_with_the_app(tmp_path: Path, ending: signal.Signals) -> None:
    app, registry = _start_demo_app(tmp_path)
    try:
        app.send_signal(ending)
        app.wait(20)
        if ending is not signal.SIGKILL:
            assert app.returncode == 0  # a clean close, as if the window was closed
        assert all_gone([registry], 10), f"the registry outlived the app ({ending.name})"
    finally:
        if app.poll() is None:
            app.kill()
        if alive(registry):
            os.kill(registry, signal.SIGKILL)
