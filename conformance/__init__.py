"""The conformance runner: plays the shared scenarios against the local engine (and, with the
registry issue, against the reference registry over HTTP)."""
