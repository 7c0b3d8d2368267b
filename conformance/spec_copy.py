"""Checks that conformance/spec is still the same as ../shared/spec, the spec it was copied
from, when that folder sits beside the clone (a clone on its own has only the copy)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPY = REPO / "conformance" / "spec"
ORIGINAL = REPO.parent / "shared" / "spec"


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def differences(copy: Path, original: Path) -> list[str]:
    """One line per file that differs or is on one side only, sorted by file name."""
    ours, theirs = _files(copy), _files(original)
    lines = []
    for name in sorted(ours.keys() | theirs.keys()):
        if name not in theirs:
            lines.append(f"only in the copy: {name}")
        elif name not in ours:
            lines.append(f"missing from the copy: {name}")
        elif ours[name].read_bytes() != theirs[name].read_bytes():
            lines.append(f"differs: {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/check-spec-copy", description="compare conformance/spec with ../shared/spec"
    )
    parser.add_argument("copy", nargs="?", type=Path, default=COPY)
    parser.add_argument("original", nargs="?", type=Path, default=ORIGINAL)
    args = parser.parse_args(argv)
    # Named as a reader of this repository sees them, unless given on the command line.
    copy = "conformance/spec" if args.copy == COPY else str(args.copy)
    original = "../shared/spec" if args.original == ORIGINAL else str(args.original)
    if not args.original.is_dir():
        print(f"no {original} beside the clone; nothing to compare")
        return 0
    lines = differences(args.copy, args.original)
    for line in lines:
        print(line)
    if lines:
        print(f"{copy} differs from {original} in {len(lines)} file(s)")
        return 1
    print(f"{copy} equals {original}, file for file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
