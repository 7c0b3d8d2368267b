"""How one registry runs: its database, its clocks and its limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app import thresholds as th
from app.loopback import is_loopback

PROTOCOL_VERSION = 1
# Older desktops are told to update before they sync (the handshake's minimum version).
MIN_CLIENT_VERSION = "0.1.0"


# The numbers the Clozapine REMS FAQ of November 2023 gives for the Contact Center. A training
# registry (the test clock on) supplies them, marked as that program's: the 2021-2025
# program's own fax number was not found, so a live deployment sets its numbers itself.
TRAINING_CONTACT = {
    "phone": "888-586-0758",
    "fax": "800-878-5927",
    "label": "Clozapine REMS Contact Center (numbers from the 2023 program FAQ)",
}


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    db_url: str
    # Program dates come from a clock a test sets through the API. Only ever on when asked
    # for, and only on a loopback address (see `check_test_clock`).
    test_clock: bool = False
    host: str = "127.0.0.1"
    # Wall time: tokens, lock-outs, idempotency keys. Injected so tests can move it.
    now: Callable[[], datetime] = field(default=system_now)
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # The program's sign-in rule, the same as the desktop's (app/thresholds.py).
    sign_in_attempts: int = th.SIGN_IN_ATTEMPTS
    lockout_minutes: int = th.SIGN_IN_LOCKOUT_MINUTES
    idempotency_days: int = 30
    # A worker that died mid-request leaves its key "in flight"; after this long another
    # request with the key may take it over (far above any request's run time).
    in_flight_takeover_seconds: int = 120
    # Tombstones older than this are dropped; a cursor from before then must resync.
    feed_tombstone_days: int = 90
    # Threads serving reads and sign-ins in each worker process.
    request_threads: int = 4
    # Acts (the writes) run on threads of their own. One: more only fight each other for
    # the GIL (16 clients asking RDAs on PostgreSQL: 2.7 ms of CPU each on one, 3.7 on
    # four; on SQLite 2.9 and 3.4); throughput comes from worker processes. With the
    # database across a network an act waits on its 17 statements' round trips: then more
    # processes per core, or two act threads (docs/registry.md).
    act_threads: int = 1
    # Argon2id cost for registry passwords; tests lower it (test-clock mode only). One lane:
    # a hash then keeps to one core, so `hash_threads` bounds the cores sign-in can take
    # (the work per guess, for an attacker, is the same as with four lanes).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 1
    # Sign-in attempts, per process, in token buckets (registry/throttle.py): a burst, then a
    # steady rate. Per account (the email as typed, known or not) and per client address.
    sign_in_account_burst: int = 10
    sign_in_account_per_minute: float = 6.0
    sign_in_address_burst: int = 30
    sign_in_address_per_minute: float = 30.0
    # Every password hash runs on these threads, never on a request thread; past
    # `hash_queue` waiting, a sign-in is answered 503 at once instead of joining the queue.
    hash_threads: int = 1
    hash_queue: int = 4
    # The hash threads' nice value (Linux): under load the request threads come first, so
    # a flood of guesses slows sign-ins rather than RDAs (measured: bench/sign_in_bench.py).
    hash_nice: int = 10
    # A sign-in refused for either (429, 503) is answered after this pause.
    sign_in_refusal_pause_seconds: float = 0.5
    # Where offices fax forms and call: this deployment's numbers, sent in the handshake so
    # every desktop prints them. Left empty, a training registry sends TRAINING_CONTACT and
    # any other sends none (the desktop then says to use the program's own fax number).
    contact_phone: str = ""
    contact_fax: str = ""
    contact_label: str = ""

    def program_contact(self) -> dict[str, str] | None:
        """The contact numbers this registry supplies: its own, the training ones, or none."""
        if self.contact_phone or self.contact_fax:
            label = self.contact_label or "Clozapine REMS Contact Center"
            return {"phone": self.contact_phone, "fax": self.contact_fax, "label": label}
        return dict(TRAINING_CONTACT) if self.test_clock else None


class UnsafeTestClock(ValueError):
    pass


def check_test_clock(settings: Settings) -> None:
    """A test clock lets anyone set the program's date: loopback only, never by default."""
    if settings.test_clock and not is_loopback(settings.host):
        raise UnsafeTestClock(
            f"The test clock can only run on a loopback address (127.0.0.1, ::1), not "
            f"{settings.host!r}. It lets any caller change the program's date."
        )
