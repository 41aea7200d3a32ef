"""`blastguard mcp`: the engine as MCP tools (official `mcp` SDK, stdio) for agents to call before they write.

Every tool returns a typed model, so the SDK publishes an outputSchema and sends the result as
structured content (and as JSON text for clients that read only text).
"""

from __future__ import annotations

from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from blastguard import __version__, fixing
from blastguard.advice import Advice, advise
from blastguard.cli.rules import fixable
from blastguard.engine.change import compare_file
from blastguard.engine.model import Rule
from blastguard.files import read_if_exists
from blastguard.project import Projects, is_excluded

INSTRUCTIONS = (
    "Blastguard finds infrastructure changes that can take production down (deleted databases, "
    "wildcard IAM, open SSH, public buckets, privileged pods, shell=True). Before writing a "
    "Terraform, Kubernetes, CloudFormation, IAM, GitHub Actions, Ansible, Compose or Python file, "
    "call check_edit (old and new content) or check_file_content, and write the `safer` text or "
    "`fixed_content` instead of the risky one.")


class Finding(BaseModel):
    rule: str = Field(description="rule id, e.g. TF101; explain_rule tells more")
    title: str
    severity: str = Field(description="error, warning, info or hint")
    line: int = Field(description="1-based line in the content")
    column: int = Field(description="1-based column (Unicode code points)")
    end_line: int
    end_column: int
    why: str = Field(description="what can happen, and what to do instead")
    fix: str | None = Field(description="the fix's title, when the rule has one")
    safer: str | None = Field(description="the affected lines as the fix writes them; empty when the fix removes them")


class FileCheck(BaseModel):
    path: str
    checked: bool = Field(description="false when Blastguard does not read this kind of file, or the project excludes it")
    findings: list[Finding]
    fixed_content: str | None = Field(
        description="the whole content with every safe fix applied; null when no safe fix applies")
    errors: list[str] = Field(description="why (part of) the content could not be checked")
    summary: str


class EditCheck(BaseModel):
    path: str
    introduced: list[Finding] = Field(description="findings the edit adds: write the safer text instead")
    destroyed: list[Finding] = Field(description="what applying the edit would delete (resources, volumes...)")
    preexisting: int = Field(description="findings already in the old content, which the edit did not cause")
    errors: list[str]
    summary: str


class RuleSummary(BaseModel):
    id: str
    title: str
    language: str
    category: str
    severity: str


class RuleList(BaseModel):
    rules: list[RuleSummary]


class RuleExplanation(RuleSummary):
    message: str = Field(description="what the finding says")
    note: str = Field(description="blast radius, the safer alternative, when it is fine")
    references: list[str]
    fixable: bool
    suppression: str = Field(description="the comment that silences it on one line, with a reason")


def _finding(advice: Advice) -> Finding:
    return Finding(**{name: getattr(advice, name) for name in Finding.model_fields})


def _summary(rule: Rule) -> RuleSummary:
    return RuleSummary(id=rule.id, title=rule.title, language=rule.language, category=rule.category,
                       severity=rule.severity.label)


def _count(findings: list, what: str) -> str:
    """"no findings", "1 finding", "3 findings" (what: the plural)."""
    if not findings:
        return f"no {what}"
    return f"1 {what[:-1]}" if len(findings) == 1 else f"{len(findings)} {what}"


def _read(path: str) -> bytes | None:
    try:
        return read_if_exists(path)
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}; pass old") from None


def build(projects: Projects | None = None) -> MCPServer:
    projects = projects or Projects()
    server = MCPServer("blastguard", version=__version__, instructions=INSTRUCTIONS, log_level="ERROR")
    read_only = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only)
    def check_file_content(path: str, content: str) -> FileCheck:
        """Check a file's full content before writing it. `path` decides the language and the
        project config (it need not exist yet). Returns each finding with why it is dangerous
        and the safer text, and the whole content with the safe fixes applied."""
        project = projects.for_path(path)
        if is_excluded(project.config, path):
            return FileCheck(path=path, checked=False, findings=[], fixed_content=None, errors=[],
                             summary="excluded by the project's config")
        data = content.encode("utf-8")
        result = project.engine.analyze(path, data)
        rules = project.rules
        findings = [_finding(advise(f, data, rules)) for f in result.findings]
        fixed = None
        if any(f.fix is not None and f.fix.safe for f in result.findings):
            fixed_bytes, _left = fixing.fixed_text(project.engine, path, data)
            fixed = fixed_bytes.decode("utf-8") if fixed_bytes != data else None
        checked = result.checked
        summary = _count(findings, "findings") if checked else f"Blastguard does not check files like {Path(path).name}"
        return FileCheck(path=path, checked=checked, findings=findings, fixed_content=fixed,
                         errors=[e.message for e in result.errors], summary=summary)

    @server.tool(annotations=read_only)
    def check_edit(path: str, new: str, old: str | None = None) -> EditCheck:
        """What an edit introduces and what applying it would destroy, never what the file already
        had. `new` is the whole content after the edit; `old` the whole content before it (omit it
        to use the file on disk at `path`, which may not exist yet). Findings are matched by
        resource and attribute, not by line, so moving or reformatting code introduces nothing."""
        project = projects.for_path(path)
        if is_excluded(project.config, path):
            return EditCheck(path=path, introduced=[], destroyed=[], preexisting=0, errors=[],
                             summary="excluded by the project's config")
        before = old.encode("utf-8") if old is not None else _read(path)
        after = new.encode("utf-8")
        report = compare_file(project.engine, path, before, after)
        rules = project.rules
        introduced = [_finding(advise(f, after, rules)) for f in report.introduced]
        destroyed = [_finding(advise(f, after, rules)) for f in report.destroyed]
        summary = f"introduces {_count(introduced, 'findings')}, {_count(destroyed, 'destructive changes')}"
        if report.preexisting:
            summary += f" ({_count(report.preexisting, 'findings')} already there)"
        return EditCheck(path=path, introduced=introduced, destroyed=destroyed, preexisting=len(report.preexisting),
                         errors=[e.message for e in report.errors], summary=summary)

    @server.tool(annotations=read_only)
    def list_rules(language: str | None = None, category: str | None = None) -> RuleList:
        """List the rules, optionally of one language (terraform, kubernetes, cloudformation, iam,
        github-actions, ansible, docker-compose, python) or category (destructive,
        over-privileged, network-exposure, public-data, ...)."""
        rules = projects.for_path(Path.cwd() / "x").rules.values()
        return RuleList(rules=[_summary(r) for r in rules
                               if (language is None or r.language == language)
                               and (category is None or r.category == category)])

    @server.tool(annotations=read_only)
    def explain_rule(rule_id: str) -> RuleExplanation:
        """Explain one rule: what it catches, the blast radius, the safer alternative, and how to
        suppress it on one line when the risk is intended."""
        rules = projects.for_path(Path.cwd() / "x").rules
        rule = rules.get(rule_id.strip().upper())
        if rule is None:
            raise ToolError(f"unknown rule {rule_id!r}; list_rules gives the ids")
        return RuleExplanation(
            **_summary(rule).model_dump(), message=rule.message, note=rule.note.strip(),
            references=list(rule.metadata.get("references", [])),
            fixable=fixable(rule),
            suppression=f"# blastguard: ignore[{rule.id}] <why this is safe here>")

    return server


def run() -> int:
    build().run("stdio")
    return 0
