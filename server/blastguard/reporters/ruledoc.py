"""A rule's documentation as text and Markdown: `blastguard rule ID` and SARIF `help`."""

from __future__ import annotations

from blastguard.engine.model import META_CATEGORY, Rule, Severity


def fix_safety(rule: Rule) -> str | None:
    """"safe" when `check --fix` applies the rule's fix, "editor" when only the editor offers
    it, None when the rule has no fix."""
    fixes = [m.fix for m in (rule.match or []) if m.fix]
    if any(f.safe for f in fixes):
        return "safe"
    return "editor" if fixes else None


def references(rule: Rule) -> list[str]:
    return [str(r) for r in rule.metadata.get("references", [])]


def help_uri(rule: Rule) -> str | None:
    """The rule's own http(s) url, else its first reference (what code-scanning links to)."""
    if rule.url.startswith(("http://", "https://")):
        return rule.url
    return next((r for r in references(rule) if r.startswith(("http://", "https://"))), None)


def _fix_line(rule: Rule) -> str | None:
    safety = fix_safety(rule)
    if safety is None or not isinstance(rule.fix, dict):
        return None
    how = "applied by `blastguard check --fix`" if safety == "safe" else "offered in the editor only"
    return f"{rule.fix.get('title', 'Fix')} ({how})"


def rule_markdown(rule: Rule) -> str:
    parts = [f"**{rule.id}: {rule.title}** ({rule.language}, {rule.category}, {rule.severity.label})",
             "", rule.message]
    if rule.note:
        parts += ["", rule.note]
    fix = _fix_line(rule)
    if fix:
        parts += ["", f"**Fix:** {fix}"]
    if rule.category != META_CATEGORY:
        parts += ["", f"**Suppress** (with a reason): `# blastguard: ignore[{rule.id}] <reason>`"]
    refs = references(rule)
    if refs:
        parts += ["", "**References**", ""] + [f"- <{r}>" for r in refs]
    return "\n".join(parts)


def rule_text(rule: Rule) -> str:
    """Everything about a rule, for the terminal: what, why, references, fix and examples."""
    out = [f"{rule.id}: {rule.title}",
           f"language: {rule.language}; category: {rule.category}; severity: {rule.severity.label}", "",
           rule.message]
    if rule.note:
        out += ["", rule.note]
    refs = references(rule)
    if refs:
        out += ["", "References:"] + [f"  {r}" for r in refs]
    fix = _fix_line(rule)
    out += ["", f"Fix: {fix}" if fix else "Fix: none"]
    if rule.category != META_CATEGORY:
        out += ["", f"Suppress: # blastguard: ignore[{rule.id}] <reason> [until=YYYY-MM-DD]"]
    examples = rule.examples or {}
    for example in examples.get("invalid", []):
        lines = ", ".join(str(n) for n in example.get("lines", []))
        out += ["", f"Flagged (line {lines}):" if "," not in lines else f"Flagged (lines {lines}):",
                *_indented(example.get("code", ""))]
        if "fixed" in example:
            out += ["After the fix:", *_indented(example["fixed"])]
    for example in examples.get("valid", []):
        out += ["", "Not flagged:", *_indented(example.get("code", "") if isinstance(example, dict) else example)]
    return "\n".join(out) + "\n"


def _indented(code: str) -> list[str]:
    return ["    " + line for line in code.rstrip("\n").split("\n")]


# GitHub code scanning ranks security alerts by `security-severity` (0.1-3.9 low, 4.0-6.9
# medium, 7.0-8.9 high, 9.0-10 critical). Risks that lose data, run code or leak secrets rank a
# step above the others at the same severity.
_GRAVE = frozenset({"destructive", "code-execution", "secrets"})
SECURITY_SEVERITY = {
    Severity.ERROR: (9.0, 8.0),
    Severity.WARNING: (7.0, 5.5),
    Severity.INFO: (3.5, 3.0),
    Severity.HINT: (1.0, 1.0),
}


def security_severity(category: str, severity: Severity) -> str | None:
    if category == META_CATEGORY or severity not in SECURITY_SEVERITY:
        return None
    grave, other = SECURITY_SEVERITY[severity]
    return f"{grave if category in _GRAVE else other:.1f}"
