"""Whether a host name is this machine's loopback: the only place plain http or the
registry's test clock is allowed (shared by the registry and the desktop's sync client)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
