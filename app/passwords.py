"""The one password policy, for workstation and registry accounts alike, per NIST SP 800-63B
(§5.1.1.2): length, not composition.

At least 8 characters, up to 256 allowed (the guideline asks for at least 64), any
characters including spaces and emoji, no "one digit and one symbol" rules. Refused: the
passwords of a public breach list (about 190,000, the most common first seen; they are what
attackers try first), a season and a year, one character repeated, simple sequences, and
words from the context (the person's email or name, the program's name).
Passwords are compared after Unicode NFKC normalization, as the guideline recommends.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import re
import unicodedata
from array import array
from importlib import resources
from itertools import accumulate

MIN_LENGTH = 8
MAX_LENGTH = 256

# The most common passwords of a public breach corpus (app/data/README.md says which),
# casefolded, sorted by their UTF-8 bytes, one a line, gzip'd. Read on the first check only.
_COMMON_FILE = "common-passwords.txt.gz"

# Newer or local picks the corpus predates: the workplace's own words, exactly.
_WORKPLACE = frozenset(
    ("pharmacist", "prescriber", "monitoring", "pharmacy", "clinic", "hospital", "healthcare")
)
# A season or month and a year ("Summer2025!", "march 2026"): the first guess in a spray.
_SEASON_YEAR = re.compile(
    r"(spring|summer|autumn|fall|winter|jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|"
    r"june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)"
    r"[\s._-]*(19|20)?\d\d[!.?]*"
)


class _SortedWords:
    """A sorted newline list kept as one bytes object with an index of line starts: an
    eighth of the memory of a set of the same words (2.3 MB, not 19); a look-up bisects."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        lines = blob.removesuffix(b"\n").split(b"\n") if blob else []
        starts = accumulate((len(w) + 1 for w in lines), initial=0)
        self._starts = array("I", starts)[: len(lines)]  # the last is the end, not a start

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, i: int) -> bytes:
        start = self._starts[i]
        end = self._blob.find(b"\n", start)
        return self._blob[start : end if end != -1 else len(self._blob)]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = word.encode()
        i = bisect.bisect_left(self, key)
        return i < len(self) and self[i] == key


@functools.cache
def common_passwords() -> _SortedWords:
    data = resources.files("app").joinpath("data", _COMMON_FILE).read_bytes()
    return _SortedWords(gzip.decompress(data))


def is_common(password: str) -> bool:
    """On the breach list or the workplace's own, as typed or without a trailing 1 or !."""
    lowered = normalize(password).casefold().strip()
    words = common_passwords()
    for candidate in {lowered, lowered.rstrip("!.?1")}:
        if candidate in _WORKPLACE or candidate in words:
            return True
    return _SEASON_YEAR.fullmatch(lowered) is not None


# Words that make a password guessable to anyone who knows where it is used.
_CONTEXT_WORDS = ("clozapine", "clozaril", "rems", "neutropenia", "desk")

_SEQUENCES = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiop",
)


def normalize(password: str) -> str:
    """The form a password is checked and hashed in."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password may not be used, in words a person can act on; None if it is fine."""
    text = normalize(password)
    if len(text) < MIN_LENGTH:
        return (
            f"Use at least {MIN_LENGTH} characters (this one has {len(text)}). "
            "A short phrase of several words is easy to remember and hard to guess."
        )
    if len(text) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = text.casefold()
    stripped = lowered.strip()
    if len(set(stripped)) == 1:
        return "A password of one character repeated is easy to guess. Choose another."
    if is_common(stripped):
        return (
            "This is one of the most common passwords, the first that attackers try. "
            "Choose another."
        )
    compact = stripped.replace(" ", "")
    if any(compact in seq or compact in seq[::-1] for seq in _SEQUENCES):
        return "A simple sequence (like 12345678 or abcdefgh) is easy to guess. Choose another."
    for word in _context_words(email, name):
        if word in lowered:
            return (
                f"The password contains {word!r}, which anyone who knows you, or where the "
                "password is used, could guess. Choose another."
            )
    return None


def _context_words(email: str, name: str) -> list[str]:
    words = list(_CONTEXT_WORDS)
    if email.strip():
        words.append(email.strip().casefold())
    local_part = email.split("@", 1)[0].casefold()
    squeezed = "".join(c for c in local_part if c.isalnum())
    words += [w for w in (local_part, squeezed) if len(w) >= 4]
    words += [part for part in name.casefold().split() if len(part) >= 4]
    return words
