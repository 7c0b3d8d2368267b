"""Electronic signatures on program forms, in the manner of 21 CFR Part 11.

A signature is bound to the exact content it approves: the SHA-256 of the form's canonical
JSON (sorted keys, no insignificant whitespace, UTF-8). Any change to the content, even one
character, makes the stored hash disagree, so the signature shows as invalid. The
manifestation (§11.50) is the printed name, the date and time with the time zone, and the
meaning of the signature, shown wherever the signed form is shown or printed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.errors import AccessRefused, ErrorCode
from app.roles import Action, Role, may

PRESCRIBER_MEANING = "Approved and signed as prescriber"


def content_hash(content: Mapping[str, object]) -> str:
    """The SHA-256 (hex) of a form's content in canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    """One person's signature on one version of a form."""

    id: str
    form_id: str
    signer_id: str
    printed_name: str
    signed_at: datetime
    meaning: str
    content_sha256: str

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None or self.signed_at.utcoffset() is None:
            raise ValueError("A signature time must carry its time zone.")

    def matches(self, content: Mapping[str, object]) -> bool:
        """Whether the form still says exactly what was signed."""
        return content_hash(content) == self.content_sha256

    @property
    def manifestation(self) -> str:
        """The signature as shown on screen and paper."""
        stamp = self.signed_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        offset = self.signed_at.strftime("%z")
        if offset and offset not in stamp:
            stamp = f"{stamp} (UTC{offset[:3]}:{offset[3:]})"
        return f"{self.printed_name}, {stamp}: {self.meaning}"


def check_may_sign(role: Role) -> None:
    """Only a prescriber signs; a designee prepares the form for the prescriber's signature."""
    if not may(role, Action.SIGN_FORM):
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            f"A {role.label.lower()} cannot sign this form: only a prescriber can. "
            'Leave it in the prescriber\'s "Awaiting signature" queue.',
        )


def check_signature_is_the_senders(
    signer_id: str, sender_id: str, content: Mapping[str, object], claimed_sha256: str | None
) -> None:
    """A registry records a signature only from the signer's own signed-in request, naming
    the hash of exactly the content signed: a designee cannot send the prescriber's
    signature, and no one can move a signature onto other content."""
    if signer_id != sender_id:
        raise AccessRefused(
            ErrorCode.PRESCRIBER_SIGNATURE_REQUIRED,
            "A signature is accepted only from the signer's own registry sign-in. Send the "
            "form unsigned, or have the prescriber sign it on the workstation while signed in.",
        )
    if claimed_sha256 != content_hash(content):
        raise AccessRefused(
            ErrorCode.PRESCRIBER_SIGNATURE_REQUIRED,
            "The signature names other content than the form sent (its content hash does "
            "not match). Open the form, check it, and sign it again.",
        )
