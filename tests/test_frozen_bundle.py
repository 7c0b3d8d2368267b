"""The Linux package as a clinic installs it: the .deb from installer/build-linux.sh unpacked
into a scratch root (`CLOZAPINE_FROZEN_ROOT`), then the frozen programs run from there. The
window opens on the demo clinic on a real X server (Xvfb) with a real keyring, `print psf
--blank` writes the same PDF as from source, `registry serve` applies its migrations and
answers, and when the window closes nothing it started is left running.

`.ci/run` builds the package and runs this file with `CLOZAPINE_FROZEN_ROOT` set (and
`CLOZAPINE_REQUIRE_FROZEN=1`, so a missing package fails rather than skips). An ordinary
test run has no package, so these tests skip there."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.process import free_port
from tests.support.framebuffer import screen_image
from tests.support.processes import alive, all_gone, command, descendants, handshake

REPO = Path(__file__).resolve().parent.parent
HELPER = REPO / "tests" / "support" / "real_keyring_session.sh"
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


@pytest.fixture(scope="module")
def root() -> Path:
    given = os.environ.get("CLOZAPINE_FROZEN_ROOT")
    if not given:
        if os.environ.get("CLOZAPINE_REQUIRE_FROZEN") == "1":
            pytest.fail("CLOZAPINE_FROZEN_ROOT is not set: build and unpack the .deb first")
        pytest.skip("no installed package (CLOZAPINE_FROZEN_ROOT): .ci/run builds one")
    return Path(given)


def _program(root: Path, name: str = "clozapine-desk-cli") -> Path:
    return root / "opt" / "clozapine-desk" / name


def _clean_env() -> dict[str, str]:
    """The environment of a clinic's desktop session: none of this checkout's Python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "VIRTUAL"))}
    env["PATH"] = "/usr/bin:/bin"
    return env


def test_the_package_puts_the_app_on_the_path_and_in_the_menu(root: Path) -> None:
    on_path = root / "usr" / "bin" / "clozapine-desk"
    assert os.readlink(on_path) == "/opt/clozapine-desk/clozapine-desk-cli"
    assert _program(root).is_file() and _program(root, "clozapine-desk").is_file()
    entry = (root / "usr/share/applications/clozapine-desk.desktop").read_text()
    assert "Exec=/opt/clozapine-desk/clozapine-desk\n" in entry
    assert (root / "usr/share/icons/hicolor/256x256/apps/clozapine-desk.png").is_file()


def _glibc(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_nothing_in_the_bundle_needs_a_newer_glibc_than_the_package_asks_for(root: Path) -> None:
    """The .deb promises `libc6 (>= floor)`: a bundle built on a newer system than the floor
    would install there and fail to start."""
    import re

    control = (REPO / "installer" / "linux" / "control").read_text()
    floor = _glibc(re.search(r"libc6 \(>= ([0-9.]+)\)", control).group(1))  # type: ignore[union-attr]
    binaries = [
        p for p in (root / "opt" / "clozapine-desk").rglob("*")
        if p.is_file() and not p.is_symlink() and (".so" in p.name or p.name == "clozapine-desk")
    ]  # fmt: skip
    dump = subprocess.run(
        ["objdump", "-T", *map(str, binaries)], capture_output=True, text=True
    ).stdout
    needed = max(_glibc(v) for v in re.findall(r"GLIBC_([0-9]+\.[0-9]+)", dump))
    assert needed <= floor, f"the bundle needs glibc {needed}, the package promises {floor}"


def test_the_frozen_program_says_its_version(root: Path) -> None:
    from app.version import VERSION

    out = subprocess.run(
        [_program(root), "--version"], capture_output=True, text=True, env=_clean_env()
    )
    assert out.stdout.strip() == f"clozapine-desk {VERSION}", out.stderr


def test_a_blank_psf_from_the_bundle_is_the_one_from_source(root: Path, tmp_path: Path) -> None:
    frozen, source = tmp_path / "frozen.pdf", tmp_path / "source.pdf"
    made = subprocess.run(
        [_program(root), "print", "psf", "--blank", "--out", frozen],
        capture_output=True, text=True, env=_clean_env(), cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    subprocess.run(
        [sys.executable, "-m", "cli.main", "print", "psf", "--blank", "--out", source],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    assert frozen.read_bytes() == source.read_bytes()


def test_the_frozen_doctor_finds_the_keyring_the_renderer_and_the_registry(
    root: Path, tmp_path: Path
) -> None:
    out = subprocess.run(
        ["dbus-run-session", "--", "bash", str(HELPER), _program(root), "doctor"],
        capture_output=True, text=True, env=_clean_env(), cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "keyring            ok: keyring.backends.SecretService.Keyring" in out.stdout
    # pdfium inside the bundle draws the print preview: no poppler, no external program.
    assert "print preview      ok: pdfium renders a blank PSF: 2 pages" in out.stdout
    assert "training registry  ok" in out.stdout


def test_the_bench_measures_the_frozen_start_and_the_bundle_size(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import desk

    path = tmp_path / "bench.json"
    monkeypatch.setenv("CLOZAPINE_BUNDLE", str(root / "opt" / "clozapine-desk"))
    out = desk("bench", "--quick", "--only", "installer", "--json", str(path))
    assert out.returncode == 0, out.stderr
    size = json.loads(path.read_text())["metrics"]
    out = desk("bench", "--quick", "--only", "ui.frozen", "--json", str(path))
    assert out.returncode == 0, out.stderr
    start = json.loads(path.read_text())["metrics"]
    (bundle,) = size
    assert bundle["name"] == "installer.bundle_mb" and bundle["goal"] == 150.0
    assert 50 < bundle["value"] < 400  # MiB: a real bundle, not an empty folder
    (ratio,) = start
    assert ratio["name"] == "ui.frozen_startup_over_source" and ratio["goal"] == 1.3
    assert ratio["value"] > 0 and "frozen" in ratio["note"]


def _newest_revision() -> str:
    from alembic.script import ScriptDirectory

    from registry.database import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def test_the_frozen_registry_migrates_its_database_and_answers(root: Path, tmp_path: Path) -> None:
    database, port = tmp_path / "registry.db", free_port()
    # Two workers: each is this program started again (multiprocessing's freeze support).
    server = subprocess.Popen(
        [_program(root), "registry", "serve", "--db", f"sqlite:///{database}",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        answer = handshake(f"http://127.0.0.1:{port}", server)
        assert answer is not None and answer.ok, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
        from app.version import VERSION

        assert VERSION in json.dumps(answer.json())
        with sqlite3.connect(database) as conn:
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == _newest_revision()
        workers = descendants(server.pid)
        assert len(workers) >= 2, "the registry did not start its worker processes"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    assert all_gone(workers, 15), "registry workers outlived the server"


@contextlib.contextmanager
def _x_server(folder: Path) -> Iterator[str]:
    """Xvfb at 1366x768 (the smallest office screen we support), its framebuffer in `folder`."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-fbdir", str(folder),
         "-nolisten", "tcp", "-br"],
        pass_fds=(write,), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as said:
        display = said.readline().strip()
    try:
        yield f":{display}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def test_the_window_opens_on_the_demo_clinic_and_leaves_nothing_running(
    root: Path, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("CLOZAPINE_FROZEN_SHOTS", tmp_path))
    data = tmp_path / "data"
    with _x_server(tmp_path) as display:
        env = {**_clean_env(), "DISPLAY": display}
        # The windowed program, as the menu entry starts it, in a desktop session with a real
        # Secret Service keyring (GNOME Keyring) on its own D-Bus.
        session = subprocess.Popen(
            ["dbus-run-session", "--", "bash", str(HELPER),
             _program(root, "clozapine-desk"), "app", "--demo", "--data-dir", data],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            app, registry = _wait_for_the_demo(session, data, _program(root, "clozapine-desk"))
            picture = screen_image(tmp_path / "Xvfb_screen0")
            picture.save(shots / "frozen-demo-1366x768.png")
            # The window covers the screen's middle: not the bare black screen of -br.
            middle = picture.crop((383, 192, 983, 576)).convert("L")
            lit = sum(middle.histogram()[41:])
            assert lit > 0.5 * middle.width * middle.height, "no window on the screen"
            tree = [app, *descendants(app)]
            assert registry in tree and "registry serve" in command(registry)
            # Closing the window (SIGTERM is the window manager's close): all of it ends.
            os.kill(app, signal.SIGTERM)
            session.wait(30)
            assert session.returncode == 0, session.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert all_gone(tree, 15), [command(pid) for pid in tree if alive(pid)]
        finally:
            if session.poll() is None:
                for pid in descendants(session.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                session.kill()


def _runs(pid: int, program: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.readlink(f"/proc/{pid}/exe") == str(program)
    return False


def _wait_for_the_demo(
    session: subprocess.Popen[bytes], data: Path, program: Path
) -> tuple[int, int]:
    """The app's pid and its registry's, once the demo clinic is made (its accounts are in
    the workstation and its registry holds the patients)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert session.poll() is None, session.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
        mine = descendants(session.pid)
        apps = [p for p in mine if _runs(p, program) and " app " in command(p)]
        ready = (data / "demo" / "desk.json").exists() and (data / "demo" / "store.db").exists()
        if apps and ready:
            registries = [p for p in descendants(apps[0]) if "registry serve" in command(p)]
            if registries and _demo_patients(data) > 0:
                time.sleep(2)  # the sign-in page paints once the worker says it is done
                return apps[0], registries[0]
        time.sleep(0.5)
    raise AssertionError("the demo clinic was not made within 120 s")


def _demo_patients(data: Path) -> int:
    database = data / "demo" / "demo-registry.db"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM patients").fetchone()[0])
    except sqlite3.Error:
        return 0
