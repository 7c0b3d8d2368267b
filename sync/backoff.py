"""Full-jitter exponential backoff: after the n-th failed try, wait a random time between
zero and min(cap, base * 2^(n-1)), so many workstations coming back online at once do not
all knock on the registry in the same second."""

from __future__ import annotations

import random
from datetime import timedelta

BASE_SECONDS = 2.0
CAP_SECONDS = 300.0


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=(rng or random).uniform(0, ceiling))
