"""GitHub Actions workflows -> workflow, job and step subjects; composite actions -> action
and step subjects (their steps run in the calling job, so the step rules apply to them)."""

from __future__ import annotations

import re

from blastguard.engine.values import LIST, MAP, SCALAR, Node, Subject

_WORKFLOW_DIR = re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$")
_ACTION_FILE = re.compile(r"(^|/)action\.ya?ml$")
# A step's body key for the workflow's and the job's `env:` entries its script reads (`$NAME`,
# `${NAME}`, PowerShell's `$env:NAME`): they reach the script as its own `env:` does. Parenthesised,
# like Python's `(args)`, so no real key can clash with it.
INHERITED_ENV = "(inherited_env)"


def is_workflow(doc: Node | None, path: str) -> bool:
    if doc is None or doc.kind != MAP:
        return False
    jobs = doc.get("jobs")
    if jobs is None or jobs.kind != MAP:
        return False
    return bool(_WORKFLOW_DIR.search(path.replace("\\", "/"))) or "on" in doc.value


def is_composite_action(doc: Node | None, path: str) -> bool:
    """An action.yml whose `runs` uses `composite` and lists steps."""
    if doc is None or doc.kind != MAP or not _ACTION_FILE.search(path.replace("\\", "/")):
        return False
    runs = doc.get("runs")
    using = runs.get("using") if runs is not None else None
    steps = runs.get("steps") if runs is not None else None
    return (using is not None and using.kind == SCALAR and using.value == "composite"
            and steps is not None and steps.kind == LIST)


def subjects(doc: Node, path: str) -> list[Subject]:
    if doc.get("jobs") is None:
        return _action_subjects(doc, path)
    _normalise_triggers(doc)
    anchor = doc.get("on") or doc.get("jobs")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    found = [Subject("workflow", "workflow", name, doc, anchor.entry_start, anchor.entry_start + 2, document=doc,
                     unit="workflow")]
    for job_id, job in doc.get("jobs").items():
        if job.kind != MAP:
            continue
        found.append(Subject("job", "job", job_id, job, job.entry_start, job.entry_start + len(job_id),
                             owner=doc, document=doc, unit=f"jobs.{job_id}"))
        found.extend(_steps(job, job_id, doc, f"jobs.{job_id}.steps"))
    return found


def _action_subjects(doc: Node, path: str) -> list[Subject]:
    """A composite action: the action itself (kind `action`, type `composite`) and its steps,
    owned by `runs`. It has no trigger: rules that need one (`$doc.on`) stay silent, and its
    `inputs.*` are whatever the caller passes, not known to be attacker-controlled."""
    runs = doc.get("runs")
    name = path.replace("\\", "/").rsplit("/", 2)
    label = name[-2] if len(name) > 1 else name[-1]
    found = [Subject("action", "composite", label, doc, runs.entry_start, runs.entry_start + 4, document=doc,
                     unit="action")]
    return found + _steps(runs, "", doc, "runs.steps")


def _steps(owner: Node, job_id: str, doc: Node, unit: str) -> list[Subject]:
    steps = owner.get("steps")
    if steps is None or steps.kind != LIST:
        return []
    found = []
    outer: dict[str, Node] = {}
    for level in (doc.get("env"), owner.get("env")):
        if level is not None and level.kind == MAP:
            outer.update(level.value)
    for index, step in enumerate(steps.value):
        if step.kind != MAP:
            continue
        if outer:
            _inherit(step, outer)
        uses = step.get("uses")
        if uses is not None and uses.kind == SCALAR and isinstance(uses.value, str):
            type_ = uses.value.split("@", 1)[0]
        else:
            type_ = "run" if "run" in step.value else ""
        found.append(Subject("step", type_, _step_name(step), step, step.start, step.end,
                             {"job": job_id}, owner=owner, document=doc,
                             unit=f"{unit}.{_step_id(step) or index}"))
    return found


def _inherit(step: Node, outer: dict[str, Node]) -> None:
    """Give a `run` step the outer `env:` entries its script names (and its own `env:` does not
    override), under INHERITED_ENV."""
    run, own = step.get("run"), step.get("env")
    if run is None or run.kind != SCALAR or not isinstance(run.value, str):
        return
    shadowed = own.value if own is not None and own.kind == MAP else {}
    read = {name: node for name, node in outer.items() if name not in shadowed and re.search(
        rf"\$\{{?{re.escape(name)}\b|(?i:\$env:{re.escape(name)})\b", run.value)}
    if read:
        step.value[INHERITED_ENV] = Node(MAP, read, step.start, step.start)


def _step_id(step: Node) -> str:
    """What a step is known by across edits: its id, else its name (else its index)."""
    name = step.get("id") or step.get("name")
    return str(name.value) if name is not None and name.kind == SCALAR else ""


def _step_name(step: Node) -> str:
    name = step.get("name") or step.get("id")
    return str(name.value) if name is not None and name.kind == SCALAR else ""


def _normalise_triggers(doc: Node) -> None:
    """`on: push`, `on: [push, pull_request_target]` and `on: {pull_request_target: }` all become
    a map of event -> settings (an empty map when none), so `present` can test an event."""
    on = doc.get("on")
    if on is None:
        return
    if on.kind == MAP:
        events = {}
        for name, settings in on.items():
            if settings.kind == SCALAR and settings.value is None:
                settings = Node(MAP, {}, settings.start, settings.end, key_start=settings.key_start)
            events[name] = settings
    else:
        events = {}
        for item in on.value if on.kind == LIST else [on]:
            if item.kind == SCALAR and isinstance(item.value, str):
                events[item.value] = Node(MAP, {}, item.start, item.end, key_start=item.start)
    on.kind, on.value = MAP, events
