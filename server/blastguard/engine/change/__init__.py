"""Change-aware checking: what a change introduces, and what applying it will destroy.

Pure (no LSP types); used by `blastguard check --diff`, `blastguard plan` guardrails and the
language server. The API, stable for callers:

    compare_file(engine, path, old, new) -> ChangeReport
        old None: a new file (everything in it is introduced); new None: a deleted file
        (checked for what its deletion destroys).
    compare_files(engine, old, new, *, results=None, old_results=None) -> dict[str, ChangeReport]
        a set of files by path (e.g. a Terraform module directory, where a block may move
        between files); a path on one side only was added or deleted. `results` and
        `old_results` are ScanResults the caller already has for the same bytes.

    ChangeReport(path, introduced, preexisting, destroyed, errors, status)
        introduced:  file-rule findings of the new version absent from the old one, matched by
                     rule and identity (Finding.unit + Finding.where: Terraform address,
                     Kubernetes kind/namespace/name[/container], CloudFormation logical id,
                     workflow job/step, Python function, Compose service, Ansible play/task,
                     and the attribute path), never by line; plus BG005 (info) for each
                     suppression comment the change adds.
        preexisting: file-rule findings of the new version the old one already had.
        destroyed:   destructive-change findings (TF6xx, K8S6xx, CFN6xx) in the new text; a
                     removed block at the nearest remaining line, a deleted file at line 1.
        errors:      the new version's file errors.
        status:      added | deleted | modified | unchanged.
        transitions: destroyed finding -> (before, after) for review output, e.g.
                     ("aws_db_instance.orders", "aws_db_instance.main").
        findings:    introduced + destroyed, sorted: what a review shows.

The rules are rule files with a `change:` section instead of `match:` (rules/<language>/
TF6xx-..., K8S6xx-..., CFN6xx-...); the tables they compare against are data in tables/*.yaml.
"""

from blastguard.engine.change.compare import ChangeReport, compare_file, compare_files

__all__ = ["ChangeReport", "compare_file", "compare_files"]
