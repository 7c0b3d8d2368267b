"""Where a save dialog opens and what it suggests: the user's Documents folder, or the folder
they saved to last in this run (never the program's own folder), and a file name any
system accepts (Windows refuses `: / \\ * ? " < > |`)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths

_NOT_IN_FILE_NAMES = re.compile(r'[:/\\*?"<>|\x00-\x1f]+')
_last_folder: Path | None = None


def safe_file_name(title: str, suffix: str) -> str:
    """`title` as a file name: characters a system refuses become " - ", runs of spaces one
    space, and no trailing dot or space (Windows drops them)."""
    name = _NOT_IN_FILE_NAMES.sub(" - ", title)
    name = re.sub(r"\s+", " ", name).replace("- -", "-").strip(" .-") or "form"
    return f"{name}{suffix}"


def suggested_path(title: str, suffix: str) -> str:
    """Where the dialog opens, with the file name filled in."""
    return str(_folder() / safe_file_name(title, suffix))


def remember(chosen: str) -> None:
    """The folder a person saved to: the next dialog opens there."""
    global _last_folder
    _last_folder = Path(chosen).parent


def _folder() -> Path:
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()
