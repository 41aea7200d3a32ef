"""A literal a Terraform file passes to a local module (`module "web" { source = "./modules/sg"
ssh_cidr = "0.0.0.0/0" }`), checked where the module uses it and reported at the input line.

The module's .tf files are analysed with its variables set to the caller's literal inputs (as
hcl_variables would read a default, with the caller's value first); a finding that depends on an
input is reported in the caller, at that input, naming the module file and line where the rule
fires. The module's own findings stay the module's: they are reported when its files are checked.

Only sources below the caller's folder (`./modules/x`) inside the checked tree are read (never
executed; referenced.Reader's rules), one level deep (a module's own module calls are not
followed from its caller), only the blocks that name an input (terraform_hcl), and only inputs
whose value is a literal (after the caller's locals and variables; meta-arguments are not
inputs). `../` sources are left out: they are a module's examples and tests calling the module
itself, each call a new analysis of it (on the real-world corpus, 85 such calls cost 60-100%
more CPU for no finding).
"""

from __future__ import annotations

import os
import re

from blastguard.engine import identity
from blastguard.engine.documents.hcl_variables import INPUT, VIA, is_literal
from blastguard.engine.documents.referenced import Reader
from blastguard.engine.model import Finding
from blastguard.engine.values import Node, Subject

_META_ARGUMENTS = frozenset(("source", "version", "count", "for_each", "providers", "depends_on"))
# What the module's analysis appends to a message: its origins in parentheses, an input's marked.
_ORIGINS = re.compile(r" \(([^()]*\x00[^()]*)\)$")


def findings(engine, path: str, block, body: Node, lines) -> list[Finding]:
    """The caller's findings for one module call: one per (rule, input) the module's files give."""
    source = body.get("source").value
    caller = Reader(path, engine.options.read_roots, engine.options.max_file_size)
    folder = os.path.normpath(os.path.join(caller.folder, source))
    relative = os.path.relpath(folder, caller.folder)
    inputs = {name: value for name, value in body.items() if name not in _META_ARGUMENTS and is_literal(value)}
    if not inputs or not os.path.isdir(folder) or not _inside(folder, caller.roots):
        return []
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".tf"))
    except OSError:
        return []
    label = block.labels[0] if block.labels else ""
    subject = Subject("module", source, label, body, block.start, block.end)
    found: list[Finding] = []
    for name in names:
        text = caller(os.path.join(relative, name))
        if text is None or not any(f"var.{key}" in text for key in inputs):
            continue
        data = text.encode("utf-8")
        result = engine.analyze(os.path.join(folder, name), data, inputs=inputs)
        for finding in result.findings:
            reported = _at_caller(finding, inputs, os.path.join(relative, name), path, lines, subject, label)
            if reported is not None:
                found.append(reported)
    return found


def _inside(folder: str, roots: tuple[str, ...]) -> bool:
    real = os.path.realpath(folder)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _at_caller(finding: Finding, inputs: dict[str, Node], where: str, path: str, lines, subject: Subject,
               label: str) -> Finding | None:
    origins = _ORIGINS.search(finding.message)
    if origins is None:
        return None
    used = [part[len(INPUT):] for part in origins.group(1).split("; ") if part.startswith(INPUT)]
    value = inputs.get(used[0]) if used else None
    if value is None:
        return None
    start, end = value.entry_start, value.end
    first = lines.line_of(start)
    if lines.line_of(max(start, end - 1)) != first:
        end = lines.line_end(first)
    given = f"; {value.meta[VIA]}" if value.meta and VIA in value.meta else ""  # the caller's own variable
    message = (f"{finding.message[:origins.start()]} (module.{label} sets var.{used[0]}, which "
               f"{where.replace(os.sep, '/')} line {finding.start.line} uses{given})")
    return Finding(finding.rule, finding.category, finding.severity, path, start, end, lines.position(start),
                   lines.position(end), message, None, f"module.{label}", identity.where(subject, start))
