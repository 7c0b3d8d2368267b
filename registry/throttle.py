"""Sign-in's guards, in each registry process: token buckets per account and per client
address, and the small pool of threads that runs every password hash.

The buckets live in memory, so each worker process keeps its own (N workers allow N times
the rate; a restart forgets them). That is enough for the reference registry: the lock-out
after five wrong passwords (in the database) still holds across workers. A registry run by
many machines would keep the buckets in a shared store or at its proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from app.loopback import is_loopback
from registry.settings import Settings

T = TypeVar("T")
# Buckets kept at most per kind, so a flood of made-up emails cannot fill the memory.
MAX_KEYS = 50_000


class Buckets:
    """One token bucket per key: `burst` attempts at once, then `per_second` refilled."""

    def __init__(self, burst: int, per_second: float, max_keys: int = MAX_KEYS) -> None:
        self.burst, self.per_second, self.max_keys = float(burst), per_second, max_keys
        self._held: dict[str, tuple[float, float]] = {}  # key: (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """0 if the attempt may go ahead (a token is taken), else the seconds until it may."""
        with self._lock:
            tokens, when = self._held.pop(key, (self.burst, now))
            # A wall clock set back refills nothing (and takes nothing away).
            tokens = min(self.burst, tokens + max(0.0, now - when) * self.per_second)
            allowed = tokens >= 1
            self._held[key] = (tokens - 1 if allowed else tokens, now)  # now the newest
            if len(self._held) > self.max_keys:
                # The least recently touched go (most likely full again, as if absent); a
                # tenth at once, so a flood of new keys does not pay this on every attempt.
                for stale in list(itertools.islice(self._held, self.max_keys // 10 + 1)):
                    del self._held[stale]
            return 0.0 if allowed else (1 - tokens) / self.per_second


@dataclass(frozen=True)
class Throttled:
    """A sign-in not attempted: 429 (too many) or 503 (the hash pool is full)."""

    status: int
    code: str
    message: str
    retry_after: int  # seconds, for the Retry-After header


class HashPool:
    """Password hashes run on `threads` threads of their own, so a flood of sign-ins takes
    at most that many cores and no request threads. At most `queue` more wait; past that,
    `seat()` says no at once and the caller answers 503."""

    def __init__(self, threads: int, queue: int, nice: int = 0) -> None:
        self._executor = ThreadPoolExecutor(
            threads,
            thread_name_prefix="password-hash",
            initializer=_lower_priority,
            initargs=(nice,),
        )
        self._seats = threading.BoundedSemaphore(threads + queue)

    @contextlib.contextmanager
    def seat(self) -> Iterator[bool]:
        seated = self._seats.acquire(blocking=False)
        try:
            yield seated
        finally:
            if seated:
                self._seats.release()

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._executor.submit(work))


def _lower_priority(nice: int) -> None:
    """This hash thread yields the cores to request threads when both want them (Linux
    gives each thread its own nice value); an idle registry still hashes at full speed."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the threads stay as they are
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class SignInGuard:
    """The buckets and the pool of one registry process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.addresses = Buckets(
            settings.sign_in_address_burst, settings.sign_in_address_per_minute / 60
        )
        self.accounts = Buckets(
            settings.sign_in_account_burst, settings.sign_in_account_per_minute / 60
        )
        self.pool = HashPool(settings.hash_threads, settings.hash_queue, settings.hash_nice)

    def admit(self, email: str, address: str) -> Throttled | None:
        """None if this attempt may go ahead; the address is charged first, so one address
        cannot fill the account buckets. This machine's own loopback has no address limit
        (the embedded registry, the tests, a TLS proxy that forwards no client address);
        its attempts still count per account, and still wait for the hash pool."""
        now = self.settings.now().timestamp()
        wait = 0.0 if is_loopback(address) else self.addresses.take(address, now)
        if wait:
            return _too_many("from this address", wait)
        wait = self.accounts.take(email.strip().casefold(), now)
        if wait:
            return _too_many("for this account", wait)
        return None


BUSY = Throttled(
    503,
    "SIGN_IN_BUSY",
    "The registry is busy signing others in. Try again in a few seconds.",
    2,
)


def _too_many(where: str, wait: float) -> Throttled:
    seconds = max(1, math.ceil(wait))
    return Throttled(
        429,
        "TOO_MANY_SIGN_INS",
        f"Too many sign-in attempts {where}. Wait {seconds} second(s), then try again.",
        seconds,
    )
