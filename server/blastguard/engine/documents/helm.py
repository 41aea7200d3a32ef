"""Go/Jinja template expressions in YAML (Helm charts, Ansible) masked before parsing.

`{{ ... }}` is not YAML: a chart's `{{- if .Values.x }}` line or `name: {{ .Release.Name }}`
makes tree-sitter give up on the whole document. Masking keeps every byte offset: a line that
is only template directives becomes blanks, an expression inside a value becomes a placeholder
of the same length, which the documents later read as an unknown value.
"""

from __future__ import annotations

import re2

# RE2 (linear time): with backtracking, a 236-byte line of `{{a}}` x 28 took 28 s.
# `${{ ... }}` is matched too, to be left alone: GitHub Actions expressions are text its rules read.
_EXPRESSION = re2.compile(rb"\$?\{\{.*?\}\}")
_DIRECTIVE_LINE = re2.compile(rb"(?m)^[ \t]*(?:\{\{.*?\}\}[ \t]*)+$")
MARK = "BgTpl"
# What a masked expression looks like once parsed (see `mask`).
MASKED = re2.compile(MARK + "_*")


def needs_mask(data: bytes) -> bool:
    return b"{{" in data and any(m.group()[:1] != b"$" for m in _EXPRESSION.finditer(data))


def mask(data: bytes) -> bytes:
    data = _DIRECTIVE_LINE.sub(lambda m: b" " * len(m.group()), data)
    return _EXPRESSION.sub(lambda m: m.group() if m.group()[:1] == b"$" else _placeholder(len(m.group())), data)


def _placeholder(length: int) -> bytes:
    text = MARK.encode()
    return text + b"_" * (length - len(text)) if length >= len(text) else b" " * length
