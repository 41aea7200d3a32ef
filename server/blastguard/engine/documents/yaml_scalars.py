"""YAML scalar text -> Python values: numbers, line folding, escapes, block scalars."""

from __future__ import annotations

import re

from blastguard.engine.values import scrub

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def to_int(raw: str) -> int | str:
    text = raw.replace("_", "")
    try:
        if text.lower().startswith(("0x", "+0x", "-0x")):
            return int(text, 16)
        if text.lower().startswith(("0o", "+0o", "-0o")):
            return int(text, 8)
        return int(text)
    except ValueError:
        return raw


def to_float(raw: str) -> float | str:
    text = raw.lower()
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    try:
        return float(special.get(text, text))
    except ValueError:
        return raw


def fold(text: str) -> str:
    """Line folding of multi-line flow scalars: one break is a space, n+1 breaks are n newlines."""
    if "\n" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    out = [lines[0].rstrip(" \t")]
    blank = 0
    for i, line in enumerate(lines[1:], 1):
        stripped = line.strip(" \t") if i < len(lines) - 1 else line.lstrip(" \t")
        if not stripped and i < len(lines) - 1:
            blank += 1
            continue
        out.append("\n" * blank if blank else " ")
        out.append(stripped)
        blank = 0
    return "".join(out)


def unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "xuU" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except ValueError:
                return match.group(0)
        return _ESCAPES.get(code, match.group(0))

    return scrub(_ESCAPE.sub(one, text)) if "\\" in text else text


def block(raw: str, column: int) -> str:
    """A literal (`|`) or folded (`>`) block scalar, with its chomping and indentation indicators."""
    header, _, body = raw.partition("\n")
    header = header.split(" #", 1)[0].strip()
    chomp = "-" if "-" in header else "+" if "+" in header else ""
    digits = [c for c in header if c.isdigit()]
    lines = body.replace("\r\n", "\n").split("\n")
    if digits:
        indent = column + int(digits[0])
    else:
        indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    content = [line[indent:] if len(line) >= indent else "" for line in lines]
    while content and content[-1] == "" and len(content) > 1 and not lines[-1].strip():
        content.pop()
    trailing = len(lines) - len(content)
    if header.startswith(">"):
        text = folded(content)
    else:
        text = "".join(line + "\n" for line in content)
    if chomp == "-":
        return text.rstrip("\n")
    if chomp == "+":
        return text + "\n" * max(trailing - 1, 0)
    return text.rstrip("\n") + "\n" if text.strip("\n") else ""


def folded(lines: list[str]) -> str:
    """Folded block content: a break between two plain lines is a space, more-indented lines
    and blank lines keep theirs."""
    text, previous, blank = "", None, 0
    for line in lines:
        if not line:
            blank += 1
            continue
        kind = "more" if line[0] in " \t" else "plain"
        if previous is None:
            text += "\n" * blank + line
        elif previous == kind == "plain":
            text += ("\n" * blank if blank else " ") + line
        else:
            text += "\n" * (blank + 1) + line
        previous, blank = kind, 0
    return text + "\n" if text else ""
