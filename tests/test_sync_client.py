"""The sync client's sign-in across restarts: the refresh token lives in the OS keyring
(here the in-memory stand-in), never in a file, and a restarted app carries on without
asking for the password; signing out forgets it."""

from __future__ import annotations

from sync.client import KeyringTokens, RegistryClient
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World, ok


def test_a_restarted_app_stays_signed_in_through_the_keyring(
    world: World, memory_keyring: MemoryKeyring
) -> None:
    first = RegistryClient(world.url, KeyringTokens("registry-refresh:dr_a"))
    ok(first.sign_in(world.emails["dr_a"], PASSWORD))
    stored = KeyringTokens("registry-refresh:dr_a").load()
    assert stored and stored == first.tokens.load()
    restarted = RegistryClient(world.url, KeyringTokens("registry-refresh:dr_a"))
    assert restarted.access_token is None
    assert ok(restarted.get("/v1/me"))["id"] == world.ids["dr_a"]  # refreshed, no password
    restarted.sign_out()
    assert KeyringTokens("registry-refresh:dr_a").load() is None
