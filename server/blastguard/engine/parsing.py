"""tree-sitter languages and parsers, created once per process and shared."""

from __future__ import annotations

from functools import cache

import tree_sitter


@cache
def language(name: str) -> tree_sitter.Language:
    if name == "hcl":
        import tree_sitter_hcl as grammar
    elif name == "json":
        import tree_sitter_json as grammar
    elif name == "yaml":
        import tree_sitter_yaml as grammar
    elif name == "python":
        import tree_sitter_python as grammar
    else:
        raise ValueError(f"no tree-sitter grammar for {name!r}")
    return tree_sitter.Language(grammar.language())


@cache
def parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(language(name))


@cache
def query(name: str, source: str) -> tree_sitter.Query:
    return tree_sitter.Query(language(name), source)


def parse(name: str, data: bytes, old_tree: tree_sitter.Tree | None = None) -> tree_sitter.Tree:
    if old_tree is None:
        return parser(name).parse(data)
    return parser(name).parse(data, old_tree)


@cache
def _range_parser(name: str) -> tree_sitter.Parser:
    # Its own parser: included ranges stick to a parser, and plain parses must not inherit them.
    return tree_sitter.Parser(language(name))


def parse_range(name: str, data: bytes, start: int, end: int, start_point: tuple[int, int],
                end_point: tuple[int, int], old_tree: tree_sitter.Tree | None = None) -> tree_sitter.Tree:
    """Parse only bytes [start, end) of data; the tree's offsets and points are the whole file's.

    Not re-entrant (one analysis thread per process, as in the CLI and the server)."""
    parser = _range_parser(name)
    parser.included_ranges = [tree_sitter.Range(start_point, end_point, start, end)]
    if old_tree is None:
        return parser.parse(data)
    return parser.parse(data, old_tree)


def captures(name: str, source: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    return tree_sitter.QueryCursor(query(name, source)).captures(node)


def first_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first ERROR or MISSING node in document order, or None."""
    if not root.has_error:
        return None
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            return node
        # Descend only into subtrees that contain the error.
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None
