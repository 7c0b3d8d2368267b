"""The PySide6 desktop app (issue #6). Empty until then."""
