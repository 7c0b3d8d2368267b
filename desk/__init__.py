"""The application layer between the window (ui/) and the store, sync and printing: what the
desk does, in use-case-shaped functions the window and the CLI call."""
