"""The store's form types, as the window names them: the window shows and edits forms
(enrollment, PSF) and their states, but never imports the store itself."""

from __future__ import annotations

from local_store.forms import Form, FormKind, FormState

__all__ = ["Form", "FormKind", "FormState"]
