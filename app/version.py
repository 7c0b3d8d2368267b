"""The app's version, in one place: the package metadata (pyproject.toml reads it), the
`--version` flag, the sync handshake and the frozen bundle all take it from here. A frozen
bundle has no package metadata to ask, so this is a plain constant."""

VERSION = "0.1.0"
