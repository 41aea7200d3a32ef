"""Which parts of a YAML document a reader may leave unconverted: a template's resources and
sections, and Kubernetes objects, that no rule can read (yaml_tree makes the stubs)."""

from __future__ import annotations

import re2

from blastguard.engine.documents import kubernetes
from blastguard.engine.documents.cloudformation import RESOURCE_TYPE, intrinsics, is_template
from blastguard.engine.documents.yaml_stream import shallow
from blastguard.engine.documents.yaml_tree import expand
from blastguard.engine.values import SCALAR, Node, Subject

# Top-level sections of a template that only a `$doc.` path reads (subjects and references read
# Resources, Parameters and Outputs). Named, not "any other": a map elsewhere (a manifest's
# `spec`) would be converted twice, once the document proves to be no template.
_UNREAD_SECTIONS = frozenset(("Mappings", "Conditions", "Metadata", "Rules"))
# What a Kubernetes object's subject and identity read, and what a template's read.
_OBJECT_KEYS = frozenset(("apiVersion", "kind", "metadata", "items", "Outputs"))
# Whether a resource's conversion may give text its source does not spell, which text_gate cannot
# see: an escape (`"\x41KIA"`), a `Fn::Join`'s parts concatenated. (A merge key `<<` takes a map
# written inline, within the source: a document with an anchor is converted whole.)
_RECOMPOSED = re2.compile(rb"\\|Join")


class Pruning:
    """Which parts of a YAML document the reader may leave unconverted (yaml_tree's stubs): in a
    template, a resource no rule can fire on (its type's rules each need a literal its source
    lacks: see text_gate), a parameter no rule reads by name, and the sections no rule reads
    (Mappings, Conditions, Metadata, Rules); in a Kubernetes object of a kind no rule reads and
    with no pod, everything but its kind and metadata. A stub is converted when read after all:
    through a `$ref`, by a rule reading the document, or in a document that proves to be
    neither. `demand` is engine.demand."""

    def __init__(self, data: bytes, demand) -> None:
        self.data, self.demand = data, demand
        self.pending: list[Node] = []  # the stubs of the document being converted
        self.stubs: list[tuple[Node, bool]] = []  # those kept, and whether in a template

    def section(self, key: str, start: int, end: int, entries: dict) -> bool:
        """A top-level entry; `entries`: those of the document converted before it."""
        if key in _UNREAD_SECTIONS or (key not in _OBJECT_KEYS and self._unread_object(entries)):
            return shallow(self.data, start, end)
        return False

    def _unread_object(self, entries: dict) -> bool:
        kind, api = entries.get("kind"), entries.get("apiVersion")
        if kind is None or api is None or kind.kind != SCALAR or api.kind != SCALAR:
            return False
        kind, api = kind.value, api.value
        return isinstance(kind, str) and bool(kind) and isinstance(api, str) and bool(api) \
            and kubernetes.pod_free(kind, api) and self.demand("kubernetes", "object", kind) is None

    def parameter(self, name: str, start: int, end: int) -> bool:
        """A parameter no rule reads by its name (a `$ref` to it converts it: see `referenced`)."""
        return self.demand("cloudformation", "parameter", name) is None and shallow(self.data, start, end)

    def resource(self, type_: str, start: int, end: int) -> bool:
        if not RESOURCE_TYPE.match(type_):
            return False  # nor may it be a template then
        found = self.demand("cloudformation", "resource", type_)
        data = self.data
        if found is not None and (found.text_gate is None or found.text_gate(data, start, end)):
            return False
        if data.find(b"Statement", start, end) >= 0 and self.demand("cloudformation", "policy", type_) is not None:
            return False  # a property may hold a policy (_policies: a map or JSON text with a Statement)
        return _RECOMPOSED.search(data, start, end) is None and shallow(data, start, end)

    def made(self, stub: Node) -> None:
        self.pending.append(stub)

    def settle(self, value: Node | None) -> None:
        """After a document's conversion: one that is neither a template nor an object no rule
        reads (its final kind decides) keeps nothing unconverted."""
        if not self.pending:
            return
        template = is_template(value)
        if template or (kubernetes.is_object(value) and self._unread_object(value.value)):
            self.stubs.extend((stub, template) for stub in self.pending)
        else:
            for stub in self.pending:
                expand(stub)
        self.pending.clear()

    def read(self, subjects: list[Subject]) -> None:
        """After the subjects of the documents converted so far are made: a rule that reads the
        whole document gets every part of it."""
        if self.stubs and any(_reads_document(self.demand, s) for s in subjects):
            for stub, template in self.stubs:
                if expand(stub) and template:
                    intrinsics(stub)  # as the template's own were read
        self.stubs.clear()


def _reads_document(demand, subject: Subject) -> bool:
    found = demand(subject.language or "cloudformation", subject.kind, subject.type)
    return found is not None and found.reads_document
