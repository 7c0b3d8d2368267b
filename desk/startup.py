"""What starting the window needs from the workstation: its data folder (re-exported from
the store's paths, so that `ui/main.py` never imports `local_store`)."""

from __future__ import annotations

from local_store.paths import data_folder

__all__ = ["data_folder"]
