"""One workstation folder, without Qt: its store, which registry it syncs with, the embedded
demo registry, and the background link that keeps the two in step.

`desk.json` in the folder says which registry (no patient information in it). The embedded
registry is a training registry: it runs on this computer's loopback with the test clock,
holds the demo clinic's invented patients, and its database is a plain SQLite file beside
the store. Real patients belong in a registry reached over https (first run asks for it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app import thresholds
from app.clock import Clock
from app.roles import Role
from local_store.paths import DATABASE_NAME, WORKSTATION_NAME

if TYPE_CHECKING:  # the store, registry and HTTP modules load on first use: the window opens sooner
    from desk.demo.seed import DemoAccount
    from local_store.keys import KdfParams
    from local_store.session import Session
    from local_store.workstation import NewAccount, Workstation
    from registry.process import RegistryProcess
    from sync.client import RegistryClient
    from sync.engine import SyncReport, SyncWorker

_log = logging.getLogger("clozapine.desk")

CONFIG_NAME = "desk.json"
EMBEDDED = "embedded"
REGISTRY_DB = "demo-registry.db"


@dataclass(frozen=True)
class DeskConfig:
    registry: str  # EMBEDDED, or the registry's https:// address
    ca_bundle: str | None = None
    # The embedded registry's database when it is not this folder's own (a demo pharmacy or
    # wholesaler shares the demo clinic's training registry).
    registry_db: str | None = None

    @property
    def embedded(self) -> bool:
        return self.registry == EMBEDDED


class Desk:
    def __init__(
        self,
        folder: Path,
        clock: Clock,
        *,
        kdf: KdfParams | None = None,
        idle_timeout: timedelta = timedelta(minutes=thresholds.IDLE_LOCK_MINUTES),
    ) -> None:
        self.folder = folder
        self.clock = clock
        self.kdf, self.idle_timeout = kdf, idle_timeout
        self._workstation: Workstation | None = None
        self.registry_process: RegistryProcess | None = None
        self._registry_lock = threading.Lock()

    @property
    def workstation(self) -> Workstation:
        """The store's accounts and sign-in (loaded when first needed, not at start-up)."""
        if self._workstation is None:
            from local_store.keys import DEFAULT_KDF
            from local_store.workstation import Workstation

            self._workstation = Workstation(
                self.folder, self.clock, kdf=self.kdf or DEFAULT_KDF, idle_timeout=self.idle_timeout
            )
        return self._workstation

    # Configuration
    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_NAME

    def is_set_up(self) -> bool:
        return (self.folder / WORKSTATION_NAME).exists() and self.config_path.exists()

    def config(self) -> DeskConfig:
        raw = json.loads(self.config_path.read_text())
        return DeskConfig(raw["registry"], raw.get("ca_bundle"), raw.get("registry_db"))

    def save_config(self, config: DeskConfig) -> None:
        if not config.embedded:
            from sync.client import check_url

            check_url(config.registry)  # https only (plain http to this computer only)
        saved = {"registry": config.registry, "ca_bundle": config.ca_bundle}
        if config.registry_db:
            saved["registry_db"] = config.registry_db
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.config_path.write_text(json.dumps(saved, indent=2))
        except OSError as error:  # the first write in the folder: starting again will not help
            raise SetupProblem(
                f"This computer does not let the app write in {self.folder} "
                f"({error.strerror or type(error).__name__}). Start it with a folder you can "
                "write to (--data-dir), or ask your IT support to give your account write "
                "access there."
            ) from error

    def keyring_problem(self) -> str | None:
        """What is wrong with this computer's OS keyring, in words (None: it will do)."""
        from local_store.device_secret import check_keyring
        from local_store.errors import KeyringUnavailable

        try:
            check_keyring()
        except KeyringUnavailable as error:
            return str(error)
        return None

    # The registry
    def registry_url(self) -> str:
        """The registry's address; starts the embedded one first if that is the choice."""
        config = self.config()
        if not config.embedded:
            return config.registry
        return self._embedded_registry(secrets.token_urlsafe(16)).url

    def _embedded_registry(self, operator_password: str) -> RegistryProcess:
        """The embedded registry, started on this computer's loopback if it is not running
        (the operator's password is set anew each start)."""
        with self._registry_lock:
            if self.registry_process is None:
                problem = embedded_registry_problem()
                if problem:
                    raise SetupProblem(problem)
                from registry.process import RegistryProcess

                database = self.config().registry_db or str(self.folder / REGISTRY_DB)
                process = RegistryProcess(
                    f"sqlite:///{database}",
                    test_clock=True,
                    operator_password=operator_password,
                )
                process.start()
                self.registry_process = process
            return self.registry_process

    def registry_client(self, account_id: str) -> RegistryClient:
        config = self.config()
        from sync.client import KeyringTokens, RegistryClient

        tokens = KeyringTokens(f"registry-session-{self.folder.name}-{account_id}")
        return RegistryClient(self.registry_url(), tokens, ca_bundle=config.ca_bundle)

    def stop(self) -> None:
        with self._registry_lock:
            if self.registry_process is not None:
                self.registry_process.stop()
                self.registry_process = None

    # First run
    def create_demo(self, today: date) -> list[tuple[str, str, str]]:
        """The demo clinic: an embedded registry filled with invented patients, and this
        workstation's accounts for its prescriber and designee (the registry's ids). Returns
        (name, email, password) for each, to show on the sign-in screen.

        All or nothing: a computer whose keyring cannot keep the store's key is told so
        before anything is made, and a demo that fails half-way (or was left half-made by an
        older version) is put aside, so the next start makes it afresh."""
        from local_store.device_secret import check_keyring

        check_keyring()
        self._put_aside_unfinished_demo()
        try:
            accounts = self._make_demo(today)
        except BaseException as error:
            self.stop()
            self._put_aside_unfinished_demo()
            from local_store.errors import StoreError

            if isinstance(error, StoreError | SetupProblem) or not isinstance(error, Exception):
                raise
            _log.warning("the demo clinic could not be made:\n%s", problem_trace(error))
            raise SetupProblem(
                "The demo clinic could not be set up: its training registry did not take "
                f"every step ({type(error).__name__}). Nothing was kept; start the app again. "
                "If this happens again, tell your IT support."
            ) from error
        return [(a.name, a.email, a.password) for a in accounts]

    def _make_demo(self, today: date) -> list[DemoAccount]:
        from desk.demo.seed import seed_demo_registry
        from local_store.workstation import NewAccount

        self.save_config(DeskConfig(EMBEDDED))
        operator_password = secrets.token_urlsafe(16)
        process = self._embedded_registry(operator_password)
        accounts = seed_demo_registry(process.url, operator_password, today)
        # Each workstation account carries the registry's id, role and prescriber.
        new = [
            NewAccount(a.email, a.name, a.role, a.prescriber_id, id=a.registry_id) for a in accounts
        ]
        session = self.workstation.create(new[0], accounts[0].password)
        try:
            session.add_account(new[1], accounts[1].password)
        finally:
            session.sign_out()
        self._mark_demo("clinic")  # last: the marker says the demo is whole
        return accounts

    def _unfinished_demo(self) -> list[Path]:
        """The files of a demo clinic that was never finished (no DEMO marker, the embedded
        registry on this folder's own database): invented patients only, so safe to put
        aside. Anything else (a real registry's configuration, a finished demo) is not."""
        if (self.folder / "DEMO").exists() or not self.config_path.exists():
            return []
        try:
            config = self.config()
        except (OSError, ValueError, KeyError):
            return []
        if not config.embedded or config.registry_db:
            return []
        names = [CONFIG_NAME, WORKSTATION_NAME, *_with_journals(REGISTRY_DB)]
        names += _with_journals(DATABASE_NAME)
        return [self.folder / name for name in names if (self.folder / name).exists()]

    def _put_aside_unfinished_demo(self) -> None:
        """Moved, not deleted, into a dated folder beside them (nothing is ever lost)."""
        found = self._unfinished_demo()
        if not found:
            return
        aside = self.folder / f"unfinished-demo-{self.clock.now().strftime('%Y%m%d-%H%M%S')}"
        aside.mkdir(mode=0o700, exist_ok=True)
        for path in found:
            path.rename(aside / path.name)
        self._workstation = None  # it read the files just moved
        _log.warning("an unfinished demo clinic was put aside in %s", aside.name)

    def create_demo_workstation(self, kind: str, clinic: Desk, today: date) -> None:
        """The demo pharmacy's or wholesaler's workstation, on the demo clinic's training
        registry (the clinic is made first if it is not there yet): its one account is the
        demo registry's Authorized Representative of Main Street Pharmacy, or the wholesaler."""
        from desk.demo.accounts import DEMO_WORKSTATIONS
        from desk.demo.seed import demo_credentials
        from local_store.device_secret import check_keyring

        check_keyring()  # before anything is made
        if not clinic.is_set_up():
            clinic.create_demo(today)
        clinic.stop()  # this workstation starts the training registry on the same file
        config = DeskConfig(EMBEDDED, registry_db=str(clinic.folder / REGISTRY_DB))
        self.create_connected(config, [demo_credentials(DEMO_WORKSTATIONS[kind][0])])
        self._mark_demo(kind)

    def _mark_demo(self, kind: str) -> None:
        (self.folder / "DEMO").write_text(
            f"{kind}\nInvented patients only: a training workstation.\n"
        )

    def demo_kind(self) -> str | None:
        """ "clinic", "pharmacy" or "wholesaler" for a demo workstation; None otherwise."""
        marker = self.folder / "DEMO"
        if not marker.exists():
            return None
        from desk.demo.accounts import DEMO_KINDS

        first = marker.read_text().splitlines()[0].strip()
        return first if first in DEMO_KINDS else "clinic"  # an older marker: the clinic

    def create_connected(
        self,
        config: DeskConfig,
        people: list[tuple[str, str]],
        workstation_password: str | None = None,
    ) -> list[str]:
        """A workstation for a real registry: each person (email, registry password) signs in
        to the registry once, so their workstation account carries the registry's id, role
        and prescriber or pharmacy. The first must be a prescriber (an office's workstation),
        a pharmacy's Authorized Representative or a wholesaler; their password opens the
        store too.
        Returns the names of the accounts made."""
        self.save_config(config)
        accounts = [self.registry_account(config, email, password) for email, password in people]
        if accounts[0].role not in (Role.PRESCRIBER, Role.PHARMACY_AR, Role.WHOLESALER):
            raise SetupProblem(
                f"{people[0][0]} is a {accounts[0].role.value} account at the registry. Set up "
                "the workstation with the prescriber's account (an office), the Authorized "
                "Representative's (a pharmacy) or a wholesaler's first; designees and staff "
                "are added after."
            )
        session = self.workstation.create(accounts[0], workstation_password or people[0][1])
        try:
            for new, (_, password) in zip(accounts[1:], people[1:], strict=True):
                session.add_account(new, password)
        finally:
            session.sign_out()
        return [a.name for a in accounts]

    def registry_account(self, config: DeskConfig, email: str, password: str) -> NewAccount:
        """A person's workstation account as the registry knows them (id, role, prescriber or
        pharmacy): they sign in to the registry once with their own registry password."""
        from local_store.workstation import NewAccount
        from sync.client import RegistryClient

        url = self.registry_url() if config.embedded else config.registry
        client = RegistryClient(url, ca_bundle=config.ca_bundle)
        try:
            answer = client.sign_in(email, password)
        finally:
            client.sign_out()
            client.close()
        if not answer.ok:
            raise SetupProblem(
                f"The registry did not accept {email}: {answer.message or answer.status}. "
                "Use the email and password of the registry account."
            )
        account = answer.body["account"]
        return NewAccount(
            email,
            account["name"] or email,
            Role(account["role"]),
            prescriber_id=account["prescriber_id"],
            pharmacy_id=account["pharmacy_id"],
            id=account["id"],
        )

    def add_person(self, session: Session, email: str, password: str) -> str:
        """A signed-in prescriber adds a designee (a pharmacy's AR, its staff) who already has
        a registry account (the registry's invitation made it); returns their name."""
        new = self.registry_account(self.config(), email, password)
        session.add_account(new, password)
        return new.name

    def is_demo(self) -> bool:
        return (self.folder / "DEMO").exists()


class SaidToThePerson(Exception):
    """An error whose message is written for the person at the desk: what happened and what
    to do (a registry's refusal in its own words, a first run that could not finish)."""


class SetupProblem(SaidToThePerson):
    """First run could not finish: the message says what to change."""


def embedded_registry_problem() -> str | None:
    """Why the embedded training registry cannot start here, in words (None: it can): it
    runs on the `registry` extra, which the installers include and a desktop-only
    `pip install clozapine-desk` leaves out."""
    from registry import installed

    missing = installed.missing()
    if not missing:
        return None
    return (
        "The demo runs on an embedded training registry, which this installation does not "
        f"include ({', '.join(missing)} missing). Install the app with its registry "
        "(pip install 'clozapine-desk[registry]', or the installer for your computer), or "
        "connect this workstation to your registry's address instead."
    )


def failure_words(error: BaseException) -> str:
    """What a failed background job tells the person: what happened and what to do. Errors
    written for people (the store's, the rules', the registry's refusals) say their own
    words; anything else is named by its kind only (its text may be a program's internals)."""
    from app.errors import RemsError
    from local_store.errors import SessionLocked, StoreError
    from sync.client import RegistryNotTrusted, RegistryUnreachable, SignInRequired

    if isinstance(error, SessionLocked):
        return (
            "The session locked before this was finished, so it was not done. Unlock with "
            "your password, then do it again."
        )
    if isinstance(error, StoreError | RemsError | SaidToThePerson | RegistryNotTrusted):
        return str(error)
    if isinstance(error, SignInRequired):
        return (
            "The registry asks you to sign in again: use the button in the status bar. Your "
            "work is kept."
        )
    if isinstance(error, RegistryUnreachable):
        return (
            "The registry cannot be reached (the network or the registry is down). Work made "
            "here is kept and sent when it is back."
        )
    return (
        f"Something went wrong on this workstation ({type(error).__name__}); nothing already "
        "saved was lost. Try again, and if it happens again, tell your IT support."
    )


def _with_journals(name: str) -> list[str]:
    return [name, f"{name}-wal", f"{name}-shm", f"{name}-journal"]


def problem_trace(error: BaseException) -> str:
    """A failure for the log: the exception's type and where it happened, without its
    message (a message may quote a patient's name or a typed value)."""
    frames = "".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}\n"  # no source lines: they may
        for frame in traceback.extract_tb(error.__traceback__)  # hold a literal name too
    )
    return f"{frames}{type(error).__module__}.{type(error).__qualname__}"


class RegistryLink(threading.Thread):
    """After sign-in: reach the registry (starting the embedded one), sign in to it with the
    password just typed unless a saved registry session still works, then sync in the
    background. Reports arrive through `on_report`, on this thread."""

    def __init__(
        self,
        desk: Desk,
        session: Session,
        password: str | None,
        on_report: Callable[[SyncReport], None],
        interval: float = 30.0,
    ) -> None:
        super().__init__(name="registry-link", daemon=True)
        self.desk, self.session, self._password = desk, session, password
        self.on_report, self.interval = on_report, interval
        self.worker: SyncWorker | None = None
        self._stopping = threading.Event()
        self._wake_early = threading.Event()

    def run(self) -> None:
        from sync.engine import Connectivity, SyncReport, SyncWorker

        now = self.desk.clock.now
        try:
            client = self.desk.registry_client(self.session.account.id)
        except Exception as error:  # the embedded registry did not start
            self.on_report(
                SyncReport(
                    Connectivity.OFFLINE, now(), problem=f"The registry is not running ({error})."
                )
            )
            return
        if client.tokens.load() is None and self._password:
            with contextlib.suppress(Exception):  # offline: the worker will say so
                client.sign_in(self.session.account.email, self._password)
        self._password = None  # not kept longer than needed
        if self._stopping.is_set():
            return
        self.worker = SyncWorker(
            self.session.second_connection, client, now, self.on_report, self.interval
        )
        self.worker.start()
        if self._wake_early.is_set():
            self.worker.wake()

    def sign_in_to_registry(self, password: str) -> bool:
        """The person typed their registry password (the status bar asked)."""
        if self.worker is None:
            return False
        answer = self.worker.client.sign_in(self.session.account.email, password)
        if answer.ok:
            self.worker.wake()
        return answer.ok

    def client(self) -> RegistryClient | None:
        """The registry session a person's own calls use (None until the link is up)."""
        return self.worker.client if self.worker is not None else None

    def sync_now(self) -> None:
        if self.worker is not None:
            self.worker.wake()
        else:
            self._wake_early.set()

    def stop(self) -> None:
        self._stopping.set()
        if self.worker is not None:
            self.worker.stop()
