"""PyYAML's safe loader with a bound on what aliases expand to: config and rule files come from
the repository, so a "billion laughs" file must be refused, not walked."""

from __future__ import annotations

import yaml

# libyaml's safe loader when PyYAML was built with it: the same safe subset, 10x faster.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values a document may hold once every alias is expanded; a config or rule file has hundreds.
MAX_VALUES = 100_000


class AliasBombError(yaml.YAMLError):
    def __init__(self, problem: str, line: int):
        super().__init__(problem)
        self.problem = problem
        self.line = line  # 1-based


def compose(text: str) -> yaml.Node | None:
    """The node graph of a single-document YAML text; raises yaml.YAMLError, including
    AliasBombError when aliases would expand past MAX_VALUES values or refer to themselves."""
    node = yaml.compose(text, Loader=Loader)
    if node is not None:
        _check_expansion(node)
    return node


def load(text: str):
    """yaml.safe_load with the alias bound."""
    node = compose(text)
    return None if node is None else Loader(text).construct_document(node)


class FileError(Exception):
    """`file:line: message` for a YAML file that cannot be read; callers re-raise it as theirs."""


def read_file(path, what: str) -> tuple[object, yaml.Node | None]:
    """A config or rule file's data and its node (for the lines of values), with one-line errors."""
    try:
        text = path.read_text(encoding="utf-8")
        node = compose(text)
        data = Loader(text).construct_document(node) if node is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: cannot read {what}: {exc}") from None
    except AliasBombError as exc:
        raise FileError(f"{path}:{exc.line}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return data, node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root: yaml.Node) -> None:
    # Aliases make the node graph a DAG (or a cycle): count each node's expanded size once,
    # bottom-up, so the check is linear in the text however large the expansion would be.
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > MAX_VALUES:
                raise AliasBombError(
                    f"aliases expand to more than {MAX_VALUES:,} values (a 'billion laughs' document?)",
                    node.start_mark.line + 1)
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in active:
            raise AliasBombError("an alias refers to the value that contains it", node.start_mark.line + 1)
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
