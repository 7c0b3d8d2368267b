"""Forms print byte for byte as approved: any change to layout, text or data shows here."""

from __future__ import annotations

import pytest

from tests.golden.make import FOLDER, golden_forms

FORMS = golden_forms()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_form_matches_its_golden_pdf(name: str) -> None:
    expected = (FOLDER / name).read_bytes()
    assert FORMS[name] == expected, (
        f"{name} changed. If the change is intended, run "
        "`.venv/bin/python -m tests.golden.make`, look at the new pages, and commit them."
    )
