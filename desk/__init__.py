"""The desk's application layer: between the Qt widgets (`ui/`) and the store, the sync link,
the registry process and printing.

The window calls use-case-shaped reads and acts here (a chart, a draft, the rows of the
outbox, signing, a print job, a call to the registry) and gets `app` types back; it never
reaches into the store's tables or builds a registry request itself. `ui/` imports `app`,
`desk` and `printing` only (tests/test_architecture.py enforces it)."""
