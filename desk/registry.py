"""Calls to the registry, as the window makes them: `RegistryApi`'s methods and what they
raise. The window gets `app` types back and never builds a request itself."""

from __future__ import annotations

from sync.client import RegistryNotTrusted, RegistryUnreachable, SignInRequired
from sync.registry_api import (
    RATIONALE_PATH,
    RDA_PATH,
    STILL_PROCESSING,
    RegistryApi,
    RegistryRefused,
    StillProcessing,
    rationale_request,
    rda_request,
    refusal_words,
)

__all__ = [
    "RATIONALE_PATH",
    "RDA_PATH",
    "STILL_PROCESSING",
    "RegistryApi",
    "RegistryNotTrusted",
    "RegistryRefused",
    "RegistryUnreachable",
    "SignInRequired",
    "StillProcessing",
    "rationale_request",
    "rda_request",
    "refusal_words",
]
