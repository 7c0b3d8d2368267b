"""What `pip install` gives, in new virtual environments (pinned by requirements/): the plain
install is the desktop only and runs against a registry's address, with no web server,
database toolkit or PostgreSQL driver in it; `[registry]` adds `registry serve`.

These build the project and install it twice (about a minute with pip's cache), so they run
when `CLOZAPINE_INSTALL_CHECK=1`, as `.ci/run` sets; an ordinary test run skips them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.process import RegistryProcess, free_port
from tests.support.processes import handshake

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    os.environ.get("CLOZAPINE_INSTALL_CHECK") != "1",
    reason="installs the project into new venvs: CLOZAPINE_INSTALL_CHECK=1 (.ci/run sets it)",
)
SERVER_ONLY = ("fastapi", "uvicorn", "starlette", "sqlalchemy", "alembic", "psycopg", "pydantic")

# Run inside the desktop-only venv: every module the desktop can load imports there, none of
# the server's packages is installed, and the client talks to the registry at argv[1].
DESKTOP_CHECK = """
import importlib, importlib.util, pkgutil, sys
missing_ok = {"desk.demo.seed"}  # the demo's seeding runs only beside an embedded registry
for package in ("app", "desk", "ui", "sync", "local_store", "printing", "cli", "lab_import"):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if info.name not in missing_ok:
            importlib.import_module(info.name)
present = [m for m in SERVER_ONLY if importlib.util.find_spec(m) is not None]
assert not present, f"server packages in a desktop install: {present}"
from sync.client import RegistryClient, MemoryTokens
print("handshake", RegistryClient(sys.argv[1], MemoryTokens()).handshake()["protocol"])
""".replace("SERVER_ONLY", repr(SERVER_ONLY))


def _venv(folder: Path, *install: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *install],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    return python


@pytest.fixture(scope="module")
def desktop_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("desktop-venv") / "venv"
    return _venv(folder, "-c", "requirements/desktop.txt", ".")


def test_the_plain_install_is_the_desktop_and_talks_to_a_registry(
    desktop_only: Path, tmp_path: Path
) -> None:
    with RegistryProcess(f"sqlite:///{tmp_path / 'registry.db'}") as registry:
        out = subprocess.run(
            [desktop_only, "-c", DESKTOP_CHECK, registry.url],
            capture_output=True, text=True, cwd=tmp_path,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""},
        )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["handshake", "1"]


def test_the_plain_install_says_how_to_get_the_demo_and_the_registry(
    desktop_only: Path, tmp_path: Path
) -> None:
    program = desktop_only.parent / "clozapine-desk"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}
    demo = subprocess.run(
        [program, "app", "--demo", "--data-dir", tmp_path / "d"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert demo.returncode == 2
    assert "pip install 'clozapine-desk[registry]'" in demo.stderr
    serve = subprocess.run(
        [program, "registry", "serve"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert serve.returncode == 2
    assert "pip install 'clozapine-desk[registry]'" in serve.stderr
    assert "Traceback" not in demo.stderr + serve.stderr


def test_the_registry_extra_serves(tmp_path: Path) -> None:
    python = _venv(
        tmp_path / "venv", "-c", "requirements/desktop.txt", "-c", "requirements/registry.txt",
        ".[registry]",
    )  # fmt: skip
    program, port = python.parent / "clozapine-desk", free_port()
    server = subprocess.Popen(
        [program, "registry", "serve", "--db", f"sqlite:///{tmp_path / 'r.db'}", "--port",
         str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ""},
    )  # fmt: skip
    try:
        answer = handshake(f"http://127.0.0.1:{port}", server)
        assert answer is not None and answer.ok, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    finally:
        server.terminate()
        server.wait(20)


def test_the_wheel_and_sdist_hold_what_the_app_reads_from_disk(tmp_path: Path) -> None:
    """`python -m build` makes the sdist, then the wheel from the sdist alone: so the sdist is
    complete, and the wheel carries the files read at run time (declared package data)."""
    import tarfile
    import zipfile

    from app.version import VERSION

    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path)],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    wheel = zipfile.ZipFile(tmp_path / f"clozapine_desk-{VERSION}-py3-none-any.whl")
    names = set(wheel.namelist())
    migrations = sorted(p.name for p in (REPO / "registry/migrations/versions").glob("*.py"))
    needed = {
        "registry/migrations/env.py",
        "registry/migrations/script.py.mako",
        *(f"registry/migrations/versions/{name}" for name in migrations),
        "printing/fonts/DejaVuSans-Bold.ttf",
        "app/data/common-passwords.txt.gz",
        f"clozapine_desk-{VERSION}.dist-info/licenses/LICENSE",
    }
    assert needed <= names, sorted(needed - names)
    assert not [n for n in names if n.startswith(("tests/", "installer/"))]
    meta = wheel.read(f"clozapine_desk-{VERSION}.dist-info/METADATA").decode()
    assert "License-Expression: LicenseRef-Proprietary" in meta
    assert "Provides-Extra: registry" in meta and "Provides-Extra: postgres" in meta
    with tarfile.open(tmp_path / f"clozapine_desk-{VERSION}.tar.gz") as sdist:
        assert f"clozapine_desk-{VERSION}/LICENSE" in sdist.getnames()
