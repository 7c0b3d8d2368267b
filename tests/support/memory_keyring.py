"""The in-memory OS keyring tests use (it lives in bench/, which also needs one)."""

from bench.memory_keyring import MemoryKeyring

__all__ = ["MemoryKeyring"]
