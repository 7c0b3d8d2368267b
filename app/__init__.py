"""The domain core of Clozapine REMS Desk: the program's rules and use cases.

Nothing here imports Qt, SQL or HTTP (a test enforces it), so the same rules run in the
desktop's preview, in the reference registry and in the conformance runner.
"""
