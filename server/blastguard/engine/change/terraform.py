"""Terraform destructive changes (TF6xx) between two versions of each module directory.

Addresses are compared across every file of a directory, so a block moved to another file of
the same module is no change; `moved` and `removed` blocks of the new version are honoured.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from blastguard.engine.change import tables
from blastguard.engine.change.context import Context
from blastguard.engine.change.terraform_blocks import Block, by_directory
from blastguard.engine.change.values import UNRESOLVED, known, plain, short, text, truthy
from blastguard.engine.model import Edit, Fix

REMOVED, RENAMED, REKEYED, BETWEEN_MODULES, REMOVED_BLOCK, PREVENT_DESTROY, PROTECTION, FORCES_NEW = (
    "TF601", "TF602", "TF603", "TF604", "TF605", "TF606", "TF607", "TF608")
_MANAGED = ("resource", "module")


@dataclass
class Module:
    """One directory's blocks in both versions."""

    name: str
    old: dict[str, Block] = field(default_factory=dict)
    new: dict[str, Block] = field(default_factory=dict)
    moves: list[tuple[str, str]] = field(default_factory=list)  # the new version's moved blocks
    removals: list[Block] = field(default_factory=list)
    old_removals: list[Block] = field(default_factory=list)
    old_data: dict[str, Block] = field(default_factory=dict)  # data sources: renaming one destroys nothing
    new_data: dict[str, Block] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)  # addresses of the old version not in the new
    added: list[str] = field(default_factory=list)


def compare(ctx: Context) -> None:
    (old_dirs, _), (new_dirs, unreadable) = by_directory(ctx.old), by_directory(ctx.new)
    modules = [_module(name, old_dirs.get(name, []), new_dirs.get(name, []), unreadable)
               for name in sorted(set(old_dirs) | set(new_dirs))]
    every_move = [m for module in modules for m in module.moves]
    leftovers: list[tuple[Module, str]] = []
    for module in modules:
        renamed = _renames(module)
        aliases = ctx.renamed.setdefault(module.name, {})
        aliases.update((source, target) for source, target in module.moves if "[" not in source + target)
        aliases.update(renamed)
        aliases.update(_renamed_data(module))
        for old_address, new_address in renamed:
            _report_rename(ctx, module, old_address, new_address)
        paired = {o for o, _ in renamed}
        for address in module.gone:
            if address in paired or _moved_away(module, address, every_move) or _removed(module, address):
                continue
            leftovers.append((module, address))
        for address in module.old.keys() & module.new.keys():
            _compare_block(ctx, module, module.old[address], module.new[address])
        for pair in renamed:
            _compare_block(ctx, module, module.old[pair[0]], module.new[pair[1]])
        _removed_blocks(ctx, module)
    for module, address in leftovers:
        if not _between_modules(ctx, modules, module, address):
            _report_removed(ctx, module.old[address])


def _module(name: str, old: list[Block], new: list[Block], unreadable: set[str]) -> Module:
    module = Module(name)
    module.old = {b.address: b for b in old if b.kind in _MANAGED}
    module.new = {b.address: b for b in new if b.kind in _MANAGED}
    for block in new:
        if block.kind == "moved":
            source, target = _reference(block.get("from")), _reference(block.get("to"))
            if source and target:
                module.moves.append((source, target))
        elif block.kind == "removed":
            module.removals.append(block)
    module.old_removals = [b for b in old if b.kind == "removed"]
    module.old_data = {b.address: b for b in old if b.kind == "data"}
    module.new_data = {b.address: b for b in new if b.kind == "data"}
    # A block of a file whose new version has a syntax error may be in the broken part: not gone.
    module.gone = [a for a in module.old if a not in module.new and module.old[a].path not in unreadable]
    module.added = [a for a in module.new if a not in module.old]
    return module


def _reference(node) -> str:
    value = plain(node)
    if isinstance(value, tuple) and value[0] == UNRESOLVED:
        return value[1]
    return value if isinstance(value, str) else ""


def _kind_and_type(block: Block) -> tuple[str, str]:
    if block.kind == "module":
        return "module", text(plain(block.body.get("source")))
    return block.kind, block.type


# -- renames and moves --------------------------------------------------------------------

def _renames(module: Module) -> list[tuple[str, str]]:
    """(old, new) addresses of blocks that were renamed: the same kind and type, and the same
    body, or the only one of their type to go and to come in this directory."""
    targets = {t for _, t in module.moves}
    gone = [a for a in module.gone if not _covered(module.moves, a)]
    added = [a for a in module.added if a not in targets and not any(t.startswith(a + "[") for t in targets)]
    pairs: list[tuple[str, str]] = []
    for exact in (True, False):
        for old_address in list(gone):
            old = module.old[old_address]
            kind = _kind_and_type(old)
            same = [a for a in added if _kind_and_type(module.new[a]) == kind]
            if exact:
                body = _comparable(old)
                match = next((a for a in same if _comparable(module.new[a]) == body), None)
            else:
                alone = [a for a in gone if _kind_and_type(module.old[a]) == kind]
                match = same[0] if len(same) == 1 and len(alone) == 1 else None
            if match is not None:
                pairs.append((old_address, match))
                gone.remove(old_address)
                added.remove(match)
    return pairs


def _renamed_data(module: Module) -> dict[str, str]:
    """Data sources renamed with the same type and body: their findings (a policy document's)
    are the same findings under the new address."""
    added = [a for a in module.new_data if a not in module.old_data]
    pairs = {}
    for address, block in module.old_data.items():
        if address in module.new_data:
            continue
        body = _comparable(block)
        match = next((a for a in added if module.new_data[a].type == block.type
                      and _comparable(module.new_data[a]) == body), None)
        if match is not None:
            pairs[address] = match
            added.remove(match)
    return pairs


def _comparable(block: Block):
    return plain(block.body)


def _covered(moves: list[tuple[str, str]], address: str) -> bool:
    return any(source == address or source.startswith(address + "[") for source, _ in moves)


def _moved_away(module: Module, address: str, every_move: list[tuple[str, str]]) -> bool:
    """A moved block in this module, or one in a calling module naming it inside a module call."""
    if _covered(module.moves, address):
        return True
    return any(source.startswith("module.") and (source.endswith("." + address) or ("." + address + "[") in source)
               for source, _ in every_move)


def _removed(module: Module, address: str) -> bool:
    return any(_reference(b.get("from")) == address for b in module.removals)


def _report_rename(ctx: Context, module: Module, old_address: str, new_address: str) -> None:
    new = module.new[new_address]
    old = module.old[old_address]
    type_ = old.type
    fix = None
    if new.stop >= 0:
        snippet = f"\n\nmoved {{\n  from = {old_address}\n  to   = {new_address}\n}}"
        fix = Fix(f"Add moved {{ from = {old_address} to = {new_address} }}", (Edit(new.stop, new.stop, snippet),),
                  safe=False)
    ctx.report(RENAMED, new.path, new.start, new.end,
               {"old": old_address, "new": new_address, "lost": _lost(old)},
               change=(old_address, new_address), stateful=_stateful(type_), unit=new_address, fix=fix)


def _between_modules(ctx: Context, modules: list[Module], origin: Module, address: str) -> bool:
    """A resource that left one module directory and appeared, unchanged, in another: Terraform
    sees a destroy and a create unless a `moved` block in the calling module says otherwise."""
    old = origin.old[address]
    if old.kind != "resource":
        return False
    body = _comparable(old)
    for module in modules:
        if module is origin:
            continue
        for candidate in module.added:
            new = module.new[candidate]
            if new.type == old.type and _comparable(new) == body:
                call = _module_call(modules, origin.name, module.name) or _module_call(modules, module.name, origin.name)
                if call is None:
                    continue  # two root modules: two states, which no moved block connects
                ctx.report(BETWEEN_MODULES, new.path, new.start, new.end,
                           {"old": _qualified(modules, origin.name, address), "new": _qualified(modules, module.name, candidate),
                            "lost": _lost(old), "call": call},
                           change=(_qualified(modules, origin.name, address), _qualified(modules, module.name, candidate)),
                           stateful=_stateful(old.type), unit=candidate)
                module.added.remove(candidate)
                return True
    return False


def _module_call(modules: list[Module], caller: str, callee: str) -> str | None:
    """`module.x` when the caller's directory calls the callee's by a local source path."""
    for module in modules:
        if module.name != caller:
            continue
        for address, block in [*module.new.items(), *module.old.items()]:
            source = plain(block.body.get("source")) if block.kind == "module" else None
            if isinstance(source, str) and source.startswith("."):
                if posixpath.normpath(posixpath.join(caller, source)) == posixpath.normpath(callee or "."):
                    return address
    return None


def _qualified(modules: list[Module], directory: str, address: str) -> str:
    for module in modules:
        call = _module_call(modules, module.name, directory) if module.name != directory else None
        if call:
            return f"{call}.{address}"
    return address


def _report_removed(ctx: Context, block: Block) -> None:
    ctx.report_removed(REMOVED, block.path, block.start, {"address": block.address, "lost": _lost(block)},
                       change=(block.address, "(removed)"), stateful=_stateful(block.type), unit=block.address)


# -- one block, before and after ------------------------------------------------------------

def _compare_block(ctx: Context, module: Module, old: Block, new: Block) -> None:
    _instances(ctx, module, old, new)
    _prevent_destroy(ctx, old, new)
    if old.kind != "resource" or old.type != new.type:
        return
    _protection(ctx, old, new)
    if old.address == new.address:  # a rename already destroys it: one finding is enough
        _forces_new(ctx, old, new)


def _mode(block: Block) -> str | None:
    return "count" if "count" in block.body.value else "for_each" if "for_each" in block.body.value else None


def _instances(ctx: Context, module: Module, old: Block, new: Block) -> None:
    """count <-> for_each (or for_each added or dropped) changes every instance key; count
    added or dropped is moved by Terraform itself (index 0 <-> no key)."""
    before, after = _mode(old), _mode(new)
    if before == after or {before, after} == {"count", None}:
        return
    wanted = _keys(new, after) if after else [""]
    moves = [t for s, t in module.moves if s == old.address or s.startswith(old.address + "[")]
    if wanted is None:
        if moves:
            return
        missing = []
    else:
        targets = {"".join(t.split()) for t in moves}
        missing = [k for k in wanted if f"{new.address}{k}" not in targets]
        if not missing:
            return
    node = new.body.get(after) if after else None
    start, end = (node.entry_start, node.end) if node is not None else (new.start, new.end)
    ctx.report(REKEYED, new.path, start, end,
               {"address": new.address, "old": before or "a single instance", "new": after or "a single instance",
                "missing": ", ".join(f"{new.address}{k}" for k in missing) or "each instance",
                "lost": _lost(new)},
               change=(f"{old.address} ({before or 'single'})", f"{new.address} ({after or 'single'})"),
               stateful=_stateful(new.type), unit=new.address)


def _keys(block: Block, mode: str) -> list[str] | None:
    """The instance keys of a literal count or for_each (`[0]`, `["a"]`), None when not literal."""
    node = block.body.get(mode)
    if node is None or not known(node):
        return None
    value = plain(node)
    if mode == "count":
        return [f"[{i}]" for i in range(value)] if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, dict):
        return [f'["{k}"]' for k in value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [f'["{v}"]' for v in value]
    return None


def _prevent_destroy(ctx: Context, old: Block, new: Block) -> None:
    if truthy(plain(old.get("lifecycle", "prevent_destroy"))) is not True:
        return
    node = new.get("lifecycle", "prevent_destroy")
    value = plain(node)
    if truthy(value) is True or (node is not None and not known(node)):
        return
    start, end = (node.entry_start, node.end) if node is not None else (new.start, new.end)
    ctx.report(PREVENT_DESTROY, new.path, start, end,
               {"address": new.address, "now": "set to false" if node is not None else "removed", "lost": _lost(new)},
               change=(f"{new.address}: prevent_destroy = true",
                       f"{new.address}: prevent_destroy " + ("= " + short(value) if node is not None else "removed")),
               stateful=_stateful(new.type), unit=new.address)


def _protection(ctx: Context, old: Block, new: Block) -> None:
    for entry in tables.table("terraform").get("protection", []):
        if old.type not in entry["types"]:
            continue
        name = entry["attribute"]
        before, after = old.body.get(name), new.body.get(name)
        if (before is not None and not known(before)) or (after is not None and not known(after)):
            continue
        was = truthy(plain(before)) if before is not None else entry["default"]
        now = truthy(plain(after)) if after is not None else entry["default"]
        if was is None or now is None or was != entry["safe"] or now == entry["safe"]:
            continue
        start, end = (after.entry_start, after.end) if after is not None else (new.start, new.end)
        ctx.report(PROTECTION, new.path, start, end,
                   {"address": new.address, "what": entry["what"], "attribute": name,
                    "old": text(was), "new": text(now) + ("" if after is not None else " (the default)"),
                    "lost": _lost(new)},
                   change=(f"{new.address}: {name} = {short(was)}", f"{new.address}: {name} = {short(now)}"),
                   stateful=_stateful(new.type), unit=new.address)


def _forces_new(ctx: Context, old: Block, new: Block) -> None:
    entry = tables.table("terraform").get("replacement", {}).get(old.type)
    if not entry:
        return
    for name in entry["attributes"]:
        before, after = old.body.get(name), new.body.get(name)
        if before is None and after is None:
            continue
        if (before is not None and not known(before)) or (after is not None and not known(after)):
            continue  # a variable may hold the same value: stay silent
        if plain(before) == plain(after):
            continue
        start, end = (after.entry_start, after.end) if after is not None else (new.start, new.end)
        ctx.report(FORCES_NEW, new.path, start, end,
                   {"address": new.address, "attribute": name,
                    "old": text(plain(before)) if before is not None else "unset",
                    "new": text(plain(after)) if after is not None else "unset",
                    "lost": _lost(new), "source": entry.get("source", "")},
                   change=(f"{old.address}: {name} = " + (short(plain(before)) if before is not None else "(unset)"),
                           f"{new.address}: {name} = " + (short(plain(after)) if after is not None else "(unset)")),
                   stateful=_stateful(new.type), unit=new.address)


def _removed_blocks(ctx: Context, module: Module) -> None:
    """A `removed` block destroys what it names unless its lifecycle says destroy = false."""
    before = {(_reference(b.get("from")), text(plain(b.get("lifecycle", "destroy")))) for b in module.old_removals}
    for block in module.removals:
        address = _reference(block.get("from"))
        destroy = block.get("lifecycle", "destroy")
        if truthy(plain(destroy)) is False or (destroy is not None and not known(destroy)):
            continue
        if (address, text(plain(destroy))) in before:
            continue  # it was there already
        type_ = address.split(".")[0] if address and not address.startswith("module.") else ""
        start, end = (destroy.entry_start, destroy.end) if destroy is not None else (block.start, block.end)
        ctx.report(REMOVED_BLOCK, block.path, start, end,
                   {"address": address or "(unknown)", "lost": tables.lost("terraform", type_) or "it"},
                   change=(address, "(destroyed by a removed block)"), stateful=_stateful(type_), unit=f"removed.{address}")


def _stateful(type_: str) -> bool:
    return type_ in tables.stateful("terraform")


def _lost(block: Block) -> str:
    if block.kind == "module":
        return "every resource the module manages"
    return tables.lost("terraform", block.type) or "it"
