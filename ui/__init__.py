"""The PySide6 desktop app: the window, its workspaces (office, pharmacy, wholesaler) and
their dialogs. No rule lives here: the rules are app/'s."""
