"""Rule ids and prefixes that users name: an unknown one is an error suggesting the closest real one."""

from __future__ import annotations

import re

# Letters typed for the digits that follow a family prefix: TF1O1 -> TF101, TF1I2 -> TF112.
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_FAMILY = re.compile(r"^(.*[A-Z])\d*$")


def problem(value: str, known: set[str], prefix: bool = True) -> str | None:
    """None when `value` names a rule (or, with prefix, starts at least one rule id); else the
    one-line reason, with the closest real id or prefix."""
    if _valid(value, known, prefix):
        return None
    if not prefix and _valid(value, known, True):
        first = min(k for k in known if k.startswith(value))
        return f"unknown rule id {value!r} (a prefix: this takes whole ids, such as {first!r})"
    hint = closest(value, known, prefix)
    kind = "rule id or prefix" if prefix else "rule id"
    return f"unknown {kind} {value!r}" + (f" (did you mean {hint!r}?)" if hint else "")


def _valid(value: str, known: set[str], prefix: bool) -> bool:
    return value in known or (prefix and bool(value) and any(k.startswith(value) for k in known))


def closest(value: str, known: set[str], prefix: bool = True) -> str | None:
    upper = value.strip().upper()
    if _valid(upper, known, prefix):
        return upper  # ids are case-sensitive: tf101 is not TF101, but it is what was meant
    families = sorted({m.group(1) for k in known if (m := _FAMILY.match(k))}, key=len, reverse=True)
    for family in families:
        if upper.startswith(family):
            candidate = family + upper[len(family):].translate(_LOOKALIKE)
            if _valid(candidate, known, prefix):
                return candidate
            break
    pool = sorted(known | (set(families) if prefix else set()))
    import difflib  # only to suggest a name for a mistyped one

    match = difflib.get_close_matches(upper, pool, n=1, cutoff=0.6)
    return match[0] if match else None
