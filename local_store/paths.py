"""Where the workstation's files live: the user's data folder (platformdirs), or the folder
named by CLOZAPINE_DESK_DATA (tests, a second store for training)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATABASE_NAME = "store.db"
WORKSTATION_NAME = "workstation.json"
BACKUP_FOLDER = "backups"


def data_folder() -> Path:
    override = os.environ.get("CLOZAPINE_DESK_DATA")
    folder = Path(override) if override else Path(platformdirs.user_data_dir("ClozapineREMSDesk"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
