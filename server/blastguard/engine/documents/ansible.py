"""Ansible playbooks and task files -> one subject per task, typed by its module."""

from __future__ import annotations

import re

import re2

from blastguard.engine.documents.templates import JINJA, untemplate
from blastguard.engine.documents import kubernetes
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, UNKNOWN_PART, Node, Subject

_PLAY_KEYS = ("tasks", "pre_tasks", "post_tasks", "handlers")
_BLOCK_KEYS = ("block", "rescue", "always")
# Keys of a task that are not its module.
_TASK_KEYWORDS = frozenset("""
    name when become become_user become_method become_flags register loop loop_control with_items
    with_dict with_fileglob with_list with_nested with_together with_sequence with_subelements
    with_first_found with_lines with_indexed_items with_random_choice tags vars notify listen
    ignore_errors ignore_unreachable changed_when failed_when delegate_to delegate_facts run_once
    args environment no_log retries delay until check_mode diff any_errors_fatal connection
    throttle timeout collections module_defaults remote_user port debugger async poll
""".split())
# Modules whose free-form argument is a command line, not key=value pairs.
_COMMAND_MODULES = frozenset({"shell", "command", "raw", "script", "win_shell", "win_command"})
# RE2 (linear time): backtracking made a long word without `=` quadratic.
_KEY_VALUE = re2.compile(r"""(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)""")
_TASK_DIR = re.compile(r"(^|/)(tasks|handlers)/[^/]+\.ya?ml$")
# Inventory variables, and a role's defaults/ and vars/ (a repository may be the role itself).
_VARS_DIR = re.compile(r"(^|/)(group_vars|host_vars|roles/[^/]+/defaults|roles/[^/]+/vars)/|(^|/)(defaults|vars)/main\.ya?ml$")


def is_playbook(doc: Node | None, path: str) -> bool:
    if doc is None or doc.kind != LIST or not doc.value:
        return False
    maps = [item for item in doc.value if item.kind == MAP]
    if not maps:
        return False
    if any("hosts" in m.value or "import_playbook" in m.value or "ansible.builtin.import_playbook" in m.value
           for m in maps):
        return True
    return bool(_TASK_DIR.search(path.replace("\\", "/"))) and all(_module(m) is not None for m in maps)


def is_vars(doc: Node | None, path: str) -> bool:
    """Variables: a mapping in group_vars/ or host_vars/ (`all`, `web.yml`) or a role's defaults/ or vars/."""
    return doc is not None and doc.kind == MAP and bool(_VARS_DIR.search(path.replace("\\", "/")))


def subjects(doc: Node) -> list[Subject]:
    untemplate(doc, JINJA)
    if doc.kind == MAP:  # inventory variables: one subject for the whole mapping
        return [Subject("vars", "vars", "", doc, doc.start, doc.start, document=doc, unit="vars")]
    found: list[Subject] = []
    unnamed: dict = {}  # per play and module, to tell unnamed tasks apart
    for index, item in enumerate(doc.value):
        if item.kind != MAP:
            continue
        if any(key in item.value for key in _PLAY_KEYS) or "hosts" in item.value:
            play = item.get("name")
            play = str(play.value) if play is not None and play.kind == SCALAR else f"play {index + 1}"
            for key in _PLAY_KEYS:
                found.extend(_tasks(item.get(key), doc, play, unnamed))
            # The play itself, for its `vars` and `environment`.
            found.append(Subject("play", "play", _name(item), item, item.start, item.start, document=doc,
                                 unit=play))
        else:
            found.extend(_tasks(Node(LIST, [item], item.start, item.end), doc, "", unnamed))
    return found


def _tasks(tasks: Node | None, doc: Node, play: str, unnamed: dict) -> list[Subject]:
    if tasks is None or tasks.kind != LIST:
        return []
    found: list[Subject] = []
    stack = list(reversed(tasks.value))
    while stack:
        task = stack.pop()
        if task.kind != MAP:
            continue
        blocks = [task.get(k) for k in _BLOCK_KEYS if task.get(k) is not None]
        if blocks:
            for block in reversed(blocks):
                if block.kind == LIST:
                    stack.extend(reversed(block.value))
            continue
        module = _module(task)
        if module is None:
            continue
        key, args, prefixed = module
        name = task.get("name")
        name = str(name.value) if name is not None and name.kind == SCALAR else ""
        label = name
        if not name:
            count = unnamed[(play, key)] = unnamed.get((play, key), 0) + 1
            label = f"{_short(key)} #{count}"
        unit = f"{play}/{label}" if play else label
        found.append(Subject("task", _short(key), name, _arguments(_short(key), args, task, prefixed),
                             args.entry_start, args.entry_start + len(key), owner=task, document=doc, unit=unit))
        if _short(key) in _K8S_MODULES and args.kind == MAP:
            found.extend(_manifests(args.get("definition"), unit))
        elif _short(key) in _DOCKER_CONTAINER_MODULES and args.kind == MAP:
            found.append(_service(args, name or label, doc, unit))
    return found


def _service(args: Node, name: str, doc: Node, unit: str) -> Subject:
    """A docker_container task as the Compose service it describes (`pid_mode` is Compose's `pid`,
    `capabilities` its `cap_add`...), so the Compose rules check both spellings of a container."""
    entries = {_COMPOSE_NAMES.get(key, key): value for key, value in args.items()}
    service = Node(MAP, entries, args.start, args.end, key_start=args.key_start)
    subject = Subject("service", "service", name, service, args.entry_start, args.entry_start, owner=args,
                      document=doc, unit=f"{unit}:service")
    subject.language = "docker-compose"
    return subject


def _manifests(definition: Node | None, unit: str) -> list[Subject]:
    """The Kubernetes objects written inline in a k8s task's `definition` (one, or a list), checked
    by the Kubernetes rules as a manifest file would be."""
    if definition is None:
        return []
    found: list[Subject] = []
    for obj in definition.value if definition.kind == LIST else [definition]:
        if kubernetes.is_object(obj):
            for subject in kubernetes.subjects(obj):
                subject.language = "kubernetes"
                subject.unit = f"{unit}:{subject.unit}"
                found.append(subject)
    return found


_DOCKER_CONTAINER_MODULES = frozenset(("docker_container", "community.docker.docker_container",
                                       "community.general.docker_container"))
_COMPOSE_NAMES = {"pid_mode": "pid", "ipc_mode": "ipc", "capabilities": "cap_add", "security_opts": "security_opt",
                  "env": "environment"}
_K8S_MODULES = frozenset(("k8s", "kubernetes.core.k8s", "community.kubernetes.k8s", "community.okd.k8s",
                          "redhat.openshift.k8s"))


def _name(item: Node) -> str:
    name = item.get("name")
    return str(name.value) if name is not None and name.kind == SCALAR else ""


def _module(task: Node) -> tuple[str, Node, bool] | None:
    """(module, its arguments, whether the arguments start with the module name: `action: x ...`)."""
    for key, value in task.items():
        if key in ("action", "local_action"):
            words = value.value.split(None, 1) if value.kind in (SCALAR, UNKNOWN) and isinstance(value.value, str) else []
            return (words[0], value, True) if words else None
        if key not in _TASK_KEYWORDS and key not in _BLOCK_KEYS and key not in _PLAY_KEYS and key != "hosts":
            return key, value, False
    return None


def _short(module: str) -> str:
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        if module.startswith(prefix):
            return module[len(prefix):]
    return module


def _arguments(module: str, args: Node, task: Node, prefixed: bool) -> Node:
    """The module's arguments as a map: `cmd` for a command line, key=value pairs split out."""
    if args.kind == MAP:
        entries = dict(args.value)
    elif args.kind in (SCALAR, UNKNOWN) and isinstance(args.value, str):
        entries = _free_form(module, args, prefixed)
    else:
        entries = {}
    extra = task.get("args")
    if extra is not None and extra.kind == MAP:
        for key, value in extra.items():
            entries.setdefault(key, value)
    return Node(MAP, entries, args.start, args.end, key_start=args.key_start)


def _free_form(module: str, args: Node, prefixed: bool) -> dict[str, Node]:
    """`shell: rm -rf x` -> {cmd: ...}; `file: path=/x state=absent` -> {path: .., state: ..}.
    The parts keep the whole scalar's span: quoting and folding make finer spans unreliable."""
    text = args.value
    if prefixed:
        parts = text.split(None, 1)
        text = parts[1] if len(parts) > 1 else ""
    if module in _COMMAND_MODULES:
        return {"cmd": _part(text, args)}
    return {m.group(1): _part(m.group(2).strip("'\""), args) for m in _KEY_VALUE.finditer(text)}


def _part(value: str, args: Node) -> Node:
    return Node(UNKNOWN if UNKNOWN_PART in value else SCALAR, value, args.start, args.end,
                key_start=args.key_start, text=value)
