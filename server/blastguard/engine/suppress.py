"""Inline suppressions: `# blastguard: ignore[ID, ...] reason until=YYYY-MM-DD`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from blastguard.engine.lines import LineIndex

_DIRECTIVE = re.compile(r"blastguard\s*:\s*ignore\b(?P<ids>\[[^\]]*\])?(?P<rest>.*)", re.S)
_UNTIL = re.compile(r"\buntil\s*=\s*(\S+)")
_ID = re.compile(r"^[A-Z][A-Z0-9]{1,3}[0-9]{3}$")  # TF101, K8S101, CFN201, BG001
_COMMENT_LEADERS = (b"#", b"//", b"/*", b"*")


@dataclass(slots=True)
class Suppression:
    line: int  # 0-based line of the comment
    target: int  # 0-based line whose findings it covers
    start: int
    end: int
    ids: list[str]
    reason: str
    until: dt.date | None
    problem: str = ""  # why the comment is refused, if it is
    used: set = field(default_factory=set)


def parse(comments, lines: LineIndex) -> list[Suppression]:
    found = []
    for comment in comments:
        body = comment.text.lstrip("#/*").rstrip().removesuffix("*/").strip()
        match = _DIRECTIVE.match(body)
        if not match:
            continue
        line = lines.line_of(comment.start)
        ids_text, rest = match.group("ids"), match.group("rest").strip()
        ids = [i.strip() for i in ids_text[1:-1].split(",") if i.strip()] if ids_text else []
        until = None
        problem = ""
        until_match = _UNTIL.search(rest)
        if until_match:
            rest = (rest[:until_match.start()] + rest[until_match.end():]).strip()
            try:
                until = dt.date.fromisoformat(until_match.group(1))
            except ValueError:
                problem = f"until={until_match.group(1)} is not a date (use until=YYYY-MM-DD)"
        if not ids:
            problem = "a suppression must name rule ids: # blastguard: ignore[ID] reason"
        elif bad := [i for i in ids if not _ID.match(i)]:
            problem = f"not a rule id: {', '.join(bad)}"
        elif not rest:
            problem = f"a suppression needs a reason: # blastguard: ignore[{', '.join(ids)}] why it is safe"
        found.append(Suppression(line, _target_line(comment.start, comment.end, lines), comment.start,
                                 comment.end, ids, rest, until, problem))
    return found


def _target_line(start: int, end: int, lines: LineIndex) -> int:
    """A trailing comment covers its own line; a comment alone on its line covers the next code line."""
    line = lines.line_of(start)
    if lines.data[lines.starts[line]:start].strip():
        return line
    target = lines.line_of(max(start, end - 1)) + 1
    while target < len(lines.starts):
        text = lines.line_text(target).strip()
        if text and not text.startswith(_COMMENT_LEADERS):
            break
        target += 1
    return target
