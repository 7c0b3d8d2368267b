"""The data a printed form carries in its QR code: compact, versioned JSON in plain ASCII
(non-ASCII as \\u escapes, so every QR reader returns the same bytes). A payload too big
for one code is split over several, each marked "CRD1 k/n|"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

FORMAT = "clozapine-desk-form/1"
CHUNK = 1100  # characters per code: a version-25 code at level M, readable after a fax
_MARK = "CRD1 "


def encode(
    form: str, version: str, values: Mapping[str, object], signature: object = None
) -> list[str]:
    """The QR texts for one form, in order."""
    document: dict[str, object] = {"format": FORMAT, "form": form, "v": version, "data": values}
    if signature is not None:
        document["signature"] = signature
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    if len(text) <= CHUNK:
        return [text]
    parts = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
    return [f"{_MARK}{k}/{len(parts)}|{part}" for k, part in enumerate(parts, 1)]


def decode(texts: Iterable[str]) -> dict[str, object]:
    """The form's document from the texts of its codes, in any order."""
    pieces = list(texts)
    if len(pieces) == 1 and not pieces[0].startswith(_MARK):
        document = json.loads(pieces[0])
    else:
        numbered: dict[int, str] = {}
        total = 0
        for piece in pieces:
            head, _, body = piece[len(_MARK) :].partition("|")
            k, _, n = head.partition("/")
            numbered[int(k)] = body
            total = int(n)
        if sorted(numbered) != list(range(1, total + 1)):
            raise ValueError(f"codes missing: have {sorted(numbered)} of {total}")
        document = json.loads("".join(numbered[k] for k in range(1, total + 1)))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("not a Clozapine REMS Desk form code")
    return document
