"""Python string literals as values: decoding, f-string templates, and whether a literal is plain."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable

from blastguard.engine.demand import Demand
from blastguard.engine.values import UNKNOWN_PART, Node, scalar, scrub, unknown

_PLAIN_PREFIXES = frozenset({"", "r", "u", "b", "br", "rb"})
_PREFIX_LETTERS = b"rRbBuUfFtT"
_FORMAT = frozenset(b"fFtT")


def string_value(node) -> Node:
    """A string literal's value; an f-string or a concatenation with one becomes a template
    whose interpolations are unknown parts."""
    start, end = node.start_byte, node.end_byte
    parts = node.named_children if node.type == "concatenated_string" else [node]
    pieces: list[str] = []
    templated = False
    for part in parts:
        if part.type != "string":
            return unknown(start, end, node.text.decode("utf-8", "replace"))
        raw = part.text
        # Only an f- (or t-) string has interpolations: the grammar reads `{` as text in any
        # other, and asking every literal for its children cost more than decoding it.
        if _FORMAT.intersection(raw[:len(raw) - len(raw.lstrip(_PREFIX_LETTERS))]) \
                and any(c.type == "interpolation" for c in part.named_children):
            templated = True
            for child in part.named_children:
                if child.type == "interpolation":
                    pieces.append(UNKNOWN_PART)
                elif child.type in ("string_content", "escape_sequence"):
                    pieces.append(_literal(child.text.decode("utf-8", "replace")))
            continue
        source = raw.decode("utf-8", "replace")
        value = _plain(source)
        if value is None:
            try:
                with warnings.catch_warnings():  # "invalid escape sequence" is the file's business
                    warnings.simplefilter("ignore")
                    value = ast.literal_eval(source)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return unknown(start, end, node.text.decode("utf-8", "replace"))
        pieces.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
    text = scrub("".join(pieces))
    if templated:
        result = unknown(start, end, node.text.decode("utf-8", "replace"))
        result.value = text
        return result
    return scalar(text, start, end)


def _plain(source: str) -> str | None:
    """The value of a string literal with no f prefix and no escape but the common ones (`\\n`,
    `\\t`, a quote, a backslash, an unknown escape such as `\\d`, which stays as written), read
    without compiling it as literal_eval does: most literals are like that, and a Python file has
    thousands. None when it needs literal_eval (which also judges bad ones): a carriage return,
    `\\x`, `\\u`, `\\N` or an octal escape, or text that is not one well-formed literal."""
    if "\r" in source:
        return None
    quote_at = 0
    while quote_at < len(source) and source[quote_at] not in "'\"":
        quote_at += 1
    prefix = source[:quote_at].lower()
    if quote_at >= len(source) or prefix not in _PLAIN_PREFIXES:
        return None
    quote = source[quote_at:quote_at + 3]
    if quote not in ('"""', "'''"):
        quote = source[quote_at]
    body = source[quote_at + len(quote):len(source) - len(quote)]
    if len(source) < quote_at + 2 * len(quote) or not source.endswith(quote) or ("b" in prefix and not body.isascii()):
        return None
    if "\\" not in body:
        if quote in body or body.endswith(quote[0]) and len(quote) == 3 or (len(quote) == 1 and "\n" in body):
            return None
        return body
    kind = "raw" if "r" in prefix else "bytes" if "b" in prefix else "str"
    if _BODIES[quote, kind].fullmatch(body) is None:
        return None
    if kind == "raw":
        return body
    value = _ESCAPE.sub(_unescape, body)
    # A bytes literal's escapes are bytes (`\\xc3\\xa9` is "é" once decoded as UTF-8).
    return value if kind == "str" or value.isascii() else value.encode("latin-1").decode("utf-8", "replace")


# The escapes read without literal_eval: an invalid one (`\\x4`, `\\U00110000`, a bytes octal
# over 0o377), a named one (`\\N{...}`) and a carriage return are left to it.
_ESCAPES_OF = {
    "raw": r"\\[^\r\0]",
    "str": r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U(?:000[0-9a-fA-F]|0010)[0-9a-fA-F]{4}|[0-7]{1,3}|[^\r\0xuUN0-7])",
    "bytes": r"\\(?:x[0-9a-fA-F]{2}|[0-3][0-7]{0,2}|[4-7][0-7]?(?![0-7])|[^\r\0xuUN0-7])",
}


def _body(quote: str, escape: str) -> re.Pattern:
    """A well-formed literal's text between its quotes: a backslash and what follows it are one
    piece (in a raw string too: `r"\\""` is a quote), a lone quote never closes a triple-quoted
    one, and a one-line literal holds no newline but an escaped one."""
    q = re.escape(quote[0])
    if len(quote) == 1:
        return re.compile(rf"(?:[^\\\r\n\0{q}]|{escape})*")
    return re.compile(rf"(?:[^\\\r\0{q}]|{escape}|{q}(?!{q}{q}|\Z))*")


_BODIES = {(quote, kind): _body(quote, escape) for quote in ("'", '"', "'''", '"""') for kind, escape in _ESCAPES_OF.items()}
_ESCAPE = re.compile(r"\\(?:x..|u....|U........|[0-7]{1,3}|.)", re.DOTALL)
# What each escape _BODIES lets through means; any other (`\\d`) is kept with its backslash.
_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t", "v": "\v"}


def _unescape(match: re.Match) -> str:
    text = match.group()
    found = _ESCAPES.get(text[1])
    if found is not None:
        return found
    if text[1] in "xuU":
        return chr(int(text[2:], 16))
    if text[1] in "01234567":
        return chr(int(text[1:], 8))
    return text


def _literal(text: str) -> str:
    """String content of an f-string piece, escapes decoded where they are plain."""
    if "\\" not in text:
        return text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.literal_eval('"' + text.replace('"', '\\"') + '"')
    except (ValueError, SyntaxError):
        return text


def is_literal(node) -> bool:
    if node.type in ("string", "concatenated_string"):
        return not any(c.type == "interpolation" for s in (node.named_children if node.type == "concatenated_string"
                                                           else [node]) for c in s.named_children)
    if node.type in ("integer", "float", "true", "false", "none"):
        return True
    if node.type in ("list", "tuple"):
        return all(is_literal(c) for c in node.named_children if c.type != "comment")
    return False


def plain_string_gate(wanted: Demand, data: bytes) -> tuple[Callable[[bytes], bool] | None, bool]:
    """(a test of a plain literal's source text, false when no string rule can fire on it, or None;
    whether only ASCII literals may be judged by it). A literal without a backslash or carriage
    return (which decoding turns into another character) reads as its own source text, so a
    needed string absent from that text is absent from its value (an f-string's pieces are its
    source text); a folded test lets non-ASCII text through (RE2 folds `ſ` to s). A file that
    holds no needed string anywhere has no plain literal to read."""
    if not wanted.texts or any(UNKNOWN_PART in n for needs, _ in wanted.texts for n in needs):
        return None, False
    ascii_only = any(folded for _, folded in wanted.texts)
    return (wanted.holds if wanted.found_in(data) else _nowhere), ascii_only


def _nowhere(raw: bytes) -> bool:
    return False


def only_escaped(may_fire, ascii_only: bool, data: bytes) -> bool:
    """Whether no string without an escape sequence (tree-sitter's `escape_sequence`, every
    escape Python decodes, line continuations too) can fire: then a string reads as its own
    source text (a raw string's backslashes, an unknown escape such as `\\d`, are text), and the
    file spells none of the needed texts, nor holds a carriage return (a string turns it into a
    newline) or, under a folded test, a non-ASCII byte (RE2 folds `ſ` to s)."""
    return may_fire is _nowhere and b"\r" not in data and (not ascii_only or data.isascii())
