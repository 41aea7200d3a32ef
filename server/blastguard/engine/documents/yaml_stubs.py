"""Parts of a YAML document the converter (yaml_tree) leaves unconverted, as yaml_pruning allows:
a template's resources, parameters and sections, a Kubernetes object's unread parts."""

from __future__ import annotations

from blastguard.engine.documents.yaml_kinds import NOT_PLAIN, fields
from blastguard.engine.values import MAP, SCALAR, Node


class Stubs:
    """The converter's stub-making half (yaml_tree._Converter holds the state it reads)."""

    def stub(self, key: str, ts_node, depth: int, entries: dict) -> Node | None:
        """A top-level entry, a resource or a parameter of a template left unconverted, as `prune`
        allows: a map of its `Type` only (a resource) or an empty one, that keeps how to convert it
        (meta `pruned`); None to convert it now. `entries`: the map's entries converted so far."""
        if depth == 1 and key in ("Resources", "Parameters"):
            self.within = key
            try:
                return self.node(ts_node, depth)
            finally:
                self.within = None
        if key == "<<" or ts_node.named_child_count != 1:  # a merge; an anchor, a tag or a comment beside the map
            return None
        content = ts_node.named_child(0)
        if content.kind_id not in self.k.mappings:
            return None
        start, end = content.start_byte, content.end_byte
        if depth == 1 or self.within == "Parameters":
            if not (self.prune.section(key, start, end, entries) if depth == 1
                    else self.prune.parameter(key, start, end)):
                return None
            entries = {}
        else:
            type_ = self.type_of(content, depth + 1)
            if type_ is None or not self.prune.resource(type_.value, start, end):
                return None
            entries = {"Type": type_}
        result = Node(MAP, entries, start, end)
        result.meta = {"pruned": lambda: self.node(ts_node, depth)}
        self.prune.made(result)
        return result

    def type_of(self, node, depth: int) -> Node | None:
        """The string value of a resource map's `Type` (its last, as for the map), or None when it
        has none or a merge (`<<`) may give it another."""
        key_field, value_field = fields()
        k, data = self.k, self.data
        found = None
        for pair in node.named_children:
            kind = pair.kind_id
            if kind not in k.pairs:
                continue
            if self.clean and kind != k.flow_node and data[start := pair.start_byte] not in NOT_PLAIN \
                    and not data.startswith(b"Type", start) and data[start] != ord("<"):
                continue  # a plain key neither `Type` nor `<<...` (a block pair starts at its key)
            key_node = pair if kind == k.flow_node else pair.child_by_field_id(key_field)
            key = self.key(key_node) if key_node is not None else None
            if key == "<<":
                return None
            if key == "Type":
                found = (key_node, None if kind == k.flow_node else pair.child_by_field_id(value_field))
        if found is None or found[1] is None:
            return None
        value = self.node(found[1], depth)
        if value.kind != SCALAR or not isinstance(value.value, str):
            return None
        value.key_start = found[0].start_byte
        return value
