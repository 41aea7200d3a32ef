"""Findings of unchanged top-level units reused while a file is edited (for editors).

A keystroke changes one Terraform block or one YAML document; the others give the same
findings as before, so only the changed units are converted and matched again. A unit is
keyed by its own bytes and by everything else it can depend on (for Terraform: the file's
`locals` and policy-document blocks, which are always analysed again), and its findings are
moved with it when text before it changes length.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Edit, Finding, Fix


@dataclass(slots=True)
class Unit:
    start: int
    end: int
    key: tuple
    reused: bool = False


def unit_key(*parts: bytes) -> tuple:
    """The parts themselves: a dict hashes them in C, where a digest per unit cost a third of
    a keystroke's analysis in a file of a thousand blocks. Holds the unit's bytes, which the
    document holds anyway."""
    return parts


@dataclass
class Reuse:
    """One open document's unit findings from its last analysis."""

    # unit key -> ((byte, line) where the unit started when its findings were made, those findings)
    entries: dict[tuple, tuple[tuple[int, int] | None, list[Finding]]] = field(default_factory=dict)
    kinds: dict[tuple, tuple[str, ...]] = field(default_factory=dict)  # rule families of a YAML document
    # YAML documents tree-sitter fails on: libyaml's verdict (a yaml_stream.Read, where it was made).
    readings: dict[tuple, tuple] = field(default_factory=dict)
    # A loader's own record of the last analysis, when it keeps one (terraform_hcl.Regions).
    state: object = None
    # Counts, for benchmarks and tests: units taken from the cache and units analysed.
    hits: int = 0
    misses: int = 0

    def has(self, key: tuple) -> bool:
        return key in self.entries

    def update(self, units: list[Unit], fresh: list[tuple[int, Finding]], lines: LineIndex) -> list[Finding]:
        """Store the new units' findings (each with the start of the subject that made it) and
        return every unit's findings, the reused ones moved to where their unit is now."""
        entries: dict[tuple, tuple[tuple[int, int] | None, list[Finding]]] = {}
        out: list[Finding] = []
        analysed = [u for u in units if not u.reused]
        containing = _finder(analysed)
        owned: dict[tuple, list[Finding]] = {u.key: [] for u in analysed}
        uncacheable: set[tuple] = set()
        for origin, finding in fresh:
            out.append(finding)
            unit = containing(origin)
            if unit is None:
                continue
            if not (unit.start <= finding.start_byte and finding.end_byte <= unit.end):
                uncacheable.add(unit.key)  # reported elsewhere (at a local's literal): not movable
            else:
                owned[unit.key].append(finding)
        # Where a unit started is kept only for units with findings to move (most have none).
        for unit in analysed:
            if unit.key not in uncacheable:
                kept = owned[unit.key]
                entries[unit.key] = ((unit.start, lines.line_of(unit.start)) if kept else None, kept)
        self.misses += len(analysed)
        previous = self.entries
        for unit in units:
            if unit.reused:
                then, kept = previous[unit.key]
                if kept:
                    now = (unit.start, lines.line_of(unit.start))
                    if now != then:  # text before it changed length or lines: move its findings
                        kept = [moved(f, unit.start - then[0], lines) for f in kept]
                    entries[unit.key] = (now, kept)
                    out.extend(kept)
                else:
                    entries[unit.key] = (None, kept)
        self.hits += len(units) - len(analysed)
        self.entries = entries  # only what the current text has: memory stays bounded
        self.kinds = {u.key: self.kinds[u.key] for u in units if u.key in self.kinds}
        self.readings = {u.key: self.readings[u.key] for u in units if u.key in self.readings}
        return out


def _finder(units: list[Unit]):
    """offset -> the unit holding it, or None. Units do not overlap, so sorted by start one
    bisection finds it: a scan per finding was quadratic when a whole file is analysed (a 5 MiB
    bundle opened in the editor: 10,197 findings times 12,463 documents)."""
    ordered = sorted(units, key=lambda u: (u.start, u.end))
    starts = [u.start for u in ordered]

    def containing(offset: int) -> Unit | None:
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and offset < ordered[index].end:
            return ordered[index]
        return None

    return containing


def moved(finding: Finding, delta: int, lines: LineIndex) -> Finding:
    """The finding (and its fix) shifted by delta bytes, with positions from the new text's lines."""
    start, end = finding.start_byte + delta, finding.end_byte + delta
    fix = finding.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(Edit(e.start + delta, e.end + delta, e.text) for e in fix.edits), fix.safe)
    return replace(finding, start_byte=start, end_byte=end, fix=fix,
                   start=lines.position(start), end=lines.position(end))
