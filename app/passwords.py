"""Workstation password rules, per NIST SP 800-63B (§5.1.1.2): length, not composition.

At least 8 characters, up to 256 allowed (the guideline asks for at least 64), any
characters including spaces and emoji, no "one digit and one symbol" rules. Refused: the
common passwords people and attackers both try first, one character repeated, simple
sequences, and words from the context (the person's email or name, the program's name).
Passwords are compared after Unicode NFKC normalization, as the guideline recommends.
"""

from __future__ import annotations

import unicodedata

MIN_LENGTH = 8
MAX_LENGTH = 256

# The most common passwords in public breach corpora (top of the lists; all lowercased).
_COMMON_TEXT = """
    123456 123456789 12345678 password qwerty123 qwerty1 111111 12345 1234567 dragon 123123
    baseball abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321
    mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe
    killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew
    tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster
    112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom
    777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley
    nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor
    matrix mobilemail mom monitor monitoring montana moon moscow passw0rd password1
    password123 p@ssw0rd p@ssword welcome welcome1 welcome123 admin admin123 administrator
    changeme changeme123 letmein123 qwerty qwerty12 qwerty1234 abcd1234 abcdefg abcdefgh
    1q2w3e4r 1q2w3e4r5t 1qaz2wsx3edc zaq12wsx zaq1zaq1 iloveyou1 sunshine1 football1
    baseball1 princess1 dragon1 monkey1 master1 shadow1 superman1 trustno11 secret secret123
    hello123 hello1234 default guest guest123 test test123 test1234 testing testing123
    temp123 temppass temporary spring2024 summer2024 autumn2024 winter2024 spring2025
    summer2025 autumn2025 winter2025 spring2026 summer2026 autumn2026 winter2026 fall2025
    fall2026 january february march april june july august september october november
    december doctor nurse pharmacy pharmacist hospital clinic medical health healthcare
    patient prescriber office reception 88888888 87654321 12341234 11223344 00000000
    99999999 asdfasdf asdf1234 asdfghjk asdfghjkl zxcvbnm1 q1w2e3r4 qweasdzxc computer1
    internet whatever nothing unknown iloveyou2 lovely football123 baseball123 michael1
    jennifer1 jordan23 letmein1 login loginpass mypassword newpassword oldpassword
    passpass password! password12 password1234 passwort motdepasse contrasena senha
"""
_COMMON = frozenset(_COMMON_TEXT.split())

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
    if stripped in _COMMON or stripped.rstrip("!.?1") in _COMMON:
        return (
            "This is one of the most common passwords, the first that attackers try. "
            "Choose another."
        )
    if len(set(stripped)) == 1:
        return "A password of one character repeated is easy to guess. Choose another."
    compact = stripped.replace(" ", "")
    if any(compact in seq or compact in seq[::-1] for seq in _SEQUENCES):
        return "A simple sequence (like 12345678 or abcdefgh) is easy to guess. Choose another."
    for word in _context_words(email, name):
        if word in lowered:
            return (
                f"The password contains {word!r}, which anyone who knows this workstation "
                "or you could guess. Choose another."
            )
    return None


def _context_words(email: str, name: str) -> list[str]:
    words = list(_CONTEXT_WORDS)
    local_part = email.split("@", 1)[0].casefold()
    squeezed = "".join(c for c in local_part if c.isalnum())
    words += [w for w in (local_part, squeezed) if len(w) >= 4]
    words += [part for part in name.casefold().split() if len(part) >= 4]
    return words
