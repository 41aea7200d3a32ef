"""Python source encodings (PEP 263): a file declaring `# -*- coding: latin-1 -*-` is read in it.

The engine works on UTF-8 bytes (tree-sitter and the line index), so such a file is transcoded.
Lines and columns (which count characters) are the same in both texts; byte offsets are not, so
findings of a transcoded file carry no fix (`check --fix` leaves it alone) rather than edit
the wrong bytes.
"""

from __future__ import annotations

import codecs
import re

# PEP 263's pattern, on the first or second line.
_DECLARATION = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class EncodingProblem(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def to_utf8(data: bytes) -> tuple[bytes, bool]:
    """(UTF-8 bytes, whether they were transcoded). UTF-8 files, and files without a
    declaration, are returned as they are (invalid UTF-8 is reported by the caller)."""
    if data.startswith(codecs.BOM_UTF8):
        return data, False
    for number, line in enumerate(data.split(b"\n", 2)[:2], 1):
        match = _DECLARATION.match(line)
        if match is None:
            continue
        name = match.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise EncodingProblem(f"unknown source encoding {name!r} declared at line {number}", number) from None
        if codec.name == "utf-8":
            return data, False
        try:
            return data.decode(codec.name).encode("utf-8"), True
        except UnicodeDecodeError as exc:
            bad = data.count(b"\n", 0, exc.start) + 1
            raise EncodingProblem(f"invalid {codec.name} at line {bad} (byte {exc.start})", bad) from None
    return data, False
