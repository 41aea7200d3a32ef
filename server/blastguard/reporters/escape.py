"""Make text from files safe to print: control characters, line and bidi separators, and
undecodable bytes of file names are shown as escapes, so a file cannot forge output lines or
drive the terminal."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, U+2028/2029 (line breaks to some readers), bidi overrides and
# isolates ("Trojan Source"), and the lone surrogates a non-UTF-8 file name decodes to.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line of text that shows every unsafe character as an escape."""
    return _UNSAFE.sub(_escape, text)


def decoded(path: str) -> str:
    """A file name as text for JSON and XML: bytes that are not UTF-8 shown as \\xNN."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
