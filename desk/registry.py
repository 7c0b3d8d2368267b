"""Calls to the registry, as the window makes them: `RegistryApi`'s methods and what they
raise. The window gets `app` types back and never builds a request itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.client import RegistryClient, RegistryNotTrusted, RegistryUnreachable, SignInRequired
from sync.registry_api import (
    RATIONALE_PATH,
    RDA_PATH,
    STILL_PROCESSING,
    RegistryApi,
    RegistryRefused,
    StillProcessing,
    accepted,
    rationale_request,
    rda_request,
    refusal_words,
)

if TYPE_CHECKING:  # not loaded before a sync: only the window's annotations name it
    from sync.engine import SyncReport as SyncReport

# `RegistryClient` is the registry link's signed-in client: the window only hands it on to
# `RegistryApi(client)`, never calls it. `SyncReport` is what a sync brought, as the window
# is told after each one.
__all__ = [
    "NOT_CONNECTED",
    "RATIONALE_PATH",
    "RDA_PATH",
    "STILL_PROCESSING",
    "NotConnected",
    "RegistryApi",
    "RegistryClient",
    "RegistryNotTrusted",
    "RegistryRefused",
    "RegistryUnreachable",
    "SignInRequired",
    "StillProcessing",
    "accepted",
    "offline_words",
    "rationale_request",
    "rda_request",
    "refusal_words",
]

NOT_CONNECTED = (
    "Not connected to the registry yet: this workstation is offline or still starting its "
    "link. Try again in a moment."
)


class NotConnected(Exception):
    """No registry link yet (offline at start, or still starting)."""


def offline_words(error: BaseException) -> str:
    """Why the registry could not be reached, in words a pharmacist can act on."""
    if isinstance(error, NotConnected):
        return NOT_CONNECTED
    if isinstance(error, RegistryNotTrusted):
        return str(error)
    if isinstance(error, RegistryUnreachable):
        return "The registry cannot be reached (the network or the registry is down)."
    if isinstance(error, SignInRequired):
        return "The registry asks you to sign in again: use the button in the status bar."
    return f"Something went wrong talking to the registry: {error}"
