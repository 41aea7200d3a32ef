"""Paths into the value tree (`ingress.cidr_blocks`, `Principal.*`) and their resolution."""

from __future__ import annotations

import re
from functools import cache

from blastguard.engine.patterns import compile_glob
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node, is_text

ANY_KEY = "*"
# A path may start at the subject's root (`$.x`) or, for a policy, at the block that holds it
# (`$owner.attach_policy`), or at the whole document (`$doc.on`) instead of at the node being
# evaluated.
ROOT, OWNER, DOC = "$", "$owner", "$doc"
# A step that follows a reference (`load_balancer_arn.$ref.internal`) to the resource it names in
# the same file; a reference that cannot be followed stays unknown.
REF = "$ref"
# A step that follows a name to the block of the subject that bears it
# (`http_listener_name.$named:http_listener.protocol`: the `http_listener` whose `name` is the
# value here), as Azure resources join their own parts; an unknown name or block stays unknown.
NAMED = "$named:"


def compile_path(path: str | list) -> tuple[str, ...]:
    """`a.b.*` or a list of segments (for keys that contain dots); `.` is the node itself."""
    if isinstance(path, list):
        return tuple(str(p) for p in path)
    if path in ("", "."):
        return ()
    return tuple(path.split("."))


def flatten(node: Node):
    """A list's elements (recursively); any other node as itself."""
    if node.kind != LIST:
        yield node
        return
    stack = list(reversed(node.value))
    while stack:
        item = stack.pop()
        if item.kind == LIST:
            stack.extend(reversed(item.value))
        else:
            yield item


def resolve(node: Node, segments: tuple[str, ...], exact: bool = False) -> list[Node]:
    """Nodes at the path; lists are walked through. Unknown nodes stand for what is below them,
    unless `exact` (a fix must edit the node at the path, not a variable standing for it)."""
    current = [node]
    for segment in segments:
        following: list[Node] = []
        index = _index(segment)
        if index is not None:
            # `[1]`: the element at that position of a list or tuple (`auth.[1]`, the password of
            # requests' `auth=(user, password)`), where walking through would take every element.
            following.extend(p.value[index] for p in current if p.kind == LIST and index < len(p.value))
            current = following
            continue
        # Decided once per step, not per node: this runs for every path of every rule on every subject.
        any_key = segment == ANY_KEY
        accepts = key_glob(segment) if not any_key and "*" in segment else None
        for parent in current:
            # Most parents are maps: no generator for them (flatten's own case, inlined).
            for item in flatten(parent) if parent.kind == LIST else (parent,):
                kind = item.kind
                if kind == MAP:
                    if any_key:
                        following.extend(item.value.values())
                    elif accepts is not None:
                        # Key globs ignore case: `*password*` finds DB_PASSWORD and MasterUserPassword.
                        following.extend(v for k, v in item.value.items() if accepts(k))
                    else:
                        child = item.value.get(segment)
                        if child is not None:
                            following.append(child)
                elif kind == UNKNOWN and not exact and (any_key or not is_text(item)):
                    # An expression may stand for a map or list; a string with literal parts has no
                    # named keys. `list.*` still reaches it: rules use it for "an unresolved item".
                    following.append(item)
        current = following
    return current


@cache
def key_glob(segment: str):
    """A case-insensitive key glob as a test: the glob's literal pieces are looked for in the
    lower-cased key before RE2 is asked, as most keys hold none of them (`*password*`)."""
    pattern = compile_glob(segment, True)
    pieces = [piece for piece in re.split(r"[*?]", segment.lower()) if piece]
    if not all(piece.isascii() for piece in pieces):
        pieces = []  # RE2 folds some non-ASCII letters onto ASCII ones (K, the Kelvin sign)

    if len(pieces) == 1:  # `*password*`, `*Password`: one substring test, most keys end here
        piece = pieces[0]

        def accepts_one(key: str) -> bool:
            if key.isascii() and piece not in key.lower():
                return False
            return bool(pattern.fullmatch(key))

        return accepts_one

    def accepts(key: str) -> bool:
        if pieces and key.isascii():
            folded = key.lower()
            if not all(piece in folded for piece in pieces):
                return False
        return bool(pattern.fullmatch(key))

    return accepts


PLAIN_KEYS: dict[str, bool] = {}  # a rule's path segment -> whether resolve reads it as a key alone


def locate(node: Node, scope, segments: tuple[str, ...], exact: bool = False) -> list[Node]:
    """resolve() from node, or from the scope's root, owner or document when the path starts there;
    a `$ref` step continues from the resource a reference names, a `$named:` step from the block
    of the subject a name designates."""
    if len(segments) == 1 and node.kind == MAP:
        # One plain key of a map (`Action`, `CidrIp`): most condition paths, asked of every
        # statement and rule; resolve's answer without its calls.
        key = segments[0]
        plain = PLAIN_KEYS.get(key)
        if plain is None:
            plain = PLAIN_KEYS[key] = not key.startswith("$") and "*" not in key and _index(key) is None
        if plain:
            child = node.value.get(key)
            return [] if child is None else [child]
    if REF in segments:
        if exact:
            return []  # a fix edits what is written here, never what a reference names
        at = segments.index(REF)
        found: list[Node] = []
        follow = getattr(scope, "refs", None)
        for item in locate(node, scope, segments[:at]):
            target = follow(item) if follow is not None and item.kind == UNKNOWN else None
            if target is not None:
                # What a reference leads to is reported at the reference, where it is used.
                found.extend(Node(n.kind, n.value, item.start, item.end, item.key_start, n.text, None, n.meta)
                             for n in locate(target, scope, segments[at + 1:]))
            elif item.kind == UNKNOWN:
                found.append(item)  # an unresolved reference: what it names is unknown
        return found
    at = _named_at(segments)
    if at is not None:
        return [] if exact else _named(node, scope, segments, at)
    if segments and segments[0] in (ROOT, OWNER, DOC):
        start = None if scope is None else {ROOT: scope.node, OWNER: scope.owner, DOC: scope.document}[segments[0]]
        return resolve(start, segments[1:], exact) if start is not None else []
    return resolve(node, segments, exact)


@cache
def _named_at(segments: tuple[str, ...]) -> int | None:
    """Where a path's `$named:` step is: paths are few and asked of every subject, so once each."""
    return next((i for i, segment in enumerate(segments) if segment.startswith(NAMED)), None)


def _named(node: Node, scope, segments: tuple[str, ...], at: int) -> list[Node]:
    blocks = [b for n in resolve(scope.node, (segments[at][len(NAMED):],)) for b in flatten(n)] \
        if scope is not None and scope.node is not None else []
    names = [(b, b.value.get("name") if b.kind == MAP else None) for b in blocks]
    # A block whose name is not known (a dynamic block over a variable) may bear any name.
    unsure = any(name is None or name.kind == UNKNOWN for _, name in names)
    found: list[Node] = []
    for item in locate(node, scope, segments[:at]):
        if item.kind == SCALAR and isinstance(item.value, str):
            named = [b for b, name in names if name is not None and name.kind == SCALAR and name.value == item.value]
            for block in named:
                found.extend(locate(block, scope, segments[at + 1:]))
            if not named and unsure:
                found.append(Node(UNKNOWN, None, item.start, item.end))
        elif item.kind == UNKNOWN:
            # One expression written once (a local's `"${...}-listener"`, read both here and as the
            # block's name) has one value: the same span is the same name.
            same = [b for b, name in names if name is not None and name.kind == UNKNOWN and name.end > name.start
                    and (name.start, name.end) == (item.start, item.end)]
            for block in same:
                found.extend(locate(block, scope, segments[at + 1:]))
            if not same:
                found.append(item)
    return found


def scalars(nodes: list[Node]):
    """Scalar and unknown leaves of nodes, walking through lists."""
    for node in nodes:
        if node.kind != LIST:  # most are not lists: no flatten generator for them (rules test every leaf)
            if node.kind in (SCALAR, UNKNOWN):
                yield node
            continue
        for item in flatten(node):
            if item.kind in (SCALAR, UNKNOWN):
                yield item


@cache  # one per rule path
def last_key_pieces(path: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The lower-cased literal pieces of a path's last key (`*.*password`: "password"), when every
    step reads keys of the node itself: a known node the path reaches is then the value of some
    map key below it that holds all of them (an ASCII key, as key_glob tells). None otherwise."""
    if not path or any(s in (ROOT, OWNER, DOC, REF) or s.startswith(NAMED) or _index(s) is not None for s in path):
        return None
    pieces = tuple(piece for piece in re.split(r"[*?]", path[-1].lower()) if piece)
    return pieces if pieces and all(piece.isascii() and "\n" not in piece for piece in pieces) else None


def key_text(node: Node) -> str | None:
    """Every map key below node (through maps and lists, as resolve walks), lower-cased, one a
    line; None when one is not ASCII (RE2 folds a few non-ASCII letters onto ASCII ones)."""
    keys: list[str] = []
    pending = [node]
    for item in pending:  # what a map or list holds is appended, and read in turn
        kind = item.kind
        if kind == MAP:
            value = item.value
            keys.extend(value)
            pending.extend(value.values())
        elif kind == LIST:
            pending.extend(item.value)
    text = "\n".join(map(str, keys))
    return text.lower() if text.isascii() else None


@cache  # a rule's few path segments, asked for every node a path walks through
def _index(segment: str) -> int | None:
    if len(segment) > 2 and segment[0] == "[" and segment[-1] == "]" and segment[1:-1].isdigit():
        return int(segment[1:-1])
    return None
