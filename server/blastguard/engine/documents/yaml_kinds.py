"""The YAML grammar's ids of the node kinds and fields the converter (yaml_tree) reads."""

from __future__ import annotations

from functools import cache

# First bytes of a flow node that is not a plain scalar alone: quoted, an alias, an anchor, a tag,
# a flow collection, an explicit key (a plain scalar cannot start with an indicator).
NOT_PLAIN = frozenset(b"\"'&!*[{?|>%@`,]}#")
_CONTENT = {
    "block_mapping", "block_sequence", "block_scalar", "flow_mapping", "flow_sequence",
    "plain_scalar", "double_quote_scalar", "single_quote_scalar", "alias",
}


class Kinds:
    """The grammar's id of each node kind read here: `kind_id` is an int, where `type` makes a
    new string on every call, and a conversion asks several times per value."""

    def __init__(self, yaml) -> None:
        def ids(*names: str) -> frozenset[int]:
            return frozenset(yaml.id_for_node_kind(name, True) for name in names)

        self.flow_node, self.anchor, self.tag, self.alias, self.plain, self.double, self.single, self.block, \
            self.item, self.flow_pair, self.integer, self.float, self.boolean, self.null = (
                yaml.id_for_node_kind(name, True) for name in (
                    "flow_node", "anchor", "tag", "alias", "plain_scalar", "double_quote_scalar",
                    "single_quote_scalar", "block_scalar", "block_sequence_item", "flow_pair", "integer_scalar",
                    "float_scalar", "boolean_scalar", "null_scalar"))
        self.block_mapping = yaml.id_for_node_kind("block_mapping", True)
        self.colon = yaml.id_for_node_kind(":", False)  # the token between a key and its value
        self.nodes = ids("block_node", "flow_node")
        self.content = ids(*_CONTENT)
        self.mappings = ids("block_mapping", "flow_mapping")
        self.sequences = ids("block_sequence", "flow_sequence")
        self.pairs = ids("block_mapping_pair", "flow_pair", "flow_node")
        self.quoted = ids("double_quote_scalar", "single_quote_scalar")
        self.typed = ids("integer_scalar", "float_scalar", "boolean_scalar", "null_scalar")


@cache
def kinds() -> Kinds:
    from blastguard.engine.parsing import language

    return Kinds(language("yaml"))


@cache
def fields() -> tuple[int, int]:
    """The grammar's ids of the `key` and `value` fields (a lookup by id, not by name, per pair)."""
    from blastguard.engine.parsing import language

    yaml = language("yaml")
    return yaml.field_id_for_name("key"), yaml.field_id_for_name("value")
