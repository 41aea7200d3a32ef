"""Analyse one document: run the rules that can match each subject, apply suppressions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from operator import attrgetter

from blastguard.engine import builtin, fixes, identity, inner_match, languages, module_inputs, source_encoding, suppress
from blastguard.engine.conditions import TRUE
from blastguard.engine.demand import Demand, demand_of
from blastguard.engine.documents.load import Document, load
from blastguard.engine.documents.hcl_variables import origins
from blastguard.engine.documents.referenced import Reader
from blastguard.engine.lines import LineIndex
from blastguard.engine.loader import RuleSet
from blastguard.engine.model import NO_RULES, FileError, Finding, Fix, Rule, ScanResult, Severity
from blastguard.engine.options import Options
from blastguard.engine.reuse import Reuse
from blastguard.engine.secrets import in_test_code
from blastguard.engine.paths import DOC, OWNER, ROOT, flatten, key_text, locate
from blastguard.engine.values import LIST, MAP, UNKNOWN, DocumentError, Node

_SNIFF = 8192
_SORT_KEY = attrgetter("path", "start_byte", "end_byte", "rule")  # Finding.sort_key, read in C
_UNSET = object()  # not computed yet (a memoised demand, a subject's key_text)


class Engine:
    """Pure analysis: text and path in, findings out. Shared by the CLI and the language server."""

    def __init__(self, rules: RuleSet, options: Options | None = None):
        self.rules = rules
        self.options = options or Options()
        self.known_ids = {r.id for r in rules.rules} | {r.id for r in builtin.BUILTIN_RULES}
        # Reported only when two versions are compared (engine.change): a suppression naming
        # one is not unused just because a single file cannot show it.
        self.change_ids = frozenset(r.id for r in rules.rules if "change" in r.metadata)
        self._index: dict[tuple[str, str], list[tuple[Rule, object]]] = defaultdict(list)
        self._by_type: dict[tuple[str, str, str], list[tuple[Rule, object]]] = {}
        self._splits: dict[tuple[str, str], tuple[dict, list]] = {}
        self._demands: dict[tuple, Demand | None] = {}
        # Indexed per language on first use, so a one-file check compiles only its language's rules.
        self._unindexed: dict[str, list[Rule]] = defaultdict(list)
        for rule in rules.rules:
            if self.options.enabled(rule.id) and self.severity(rule) != Severity.OFF:
                self._unindexed[rule.language].append(rule)

    def severity(self, rule: Rule) -> Severity:
        return self.options.severity_of(rule.id, rule.severity)

    def candidates(self, language: str, kind: str, type_: str) -> list[tuple[Rule, object]]:
        """The (rule, matcher) pairs whose subject selector accepts this type, memoised:
        a file has many blocks of few types, and globs are not free. Selectors that list exact
        types only are looked up, not tested (a Python file has thousands of callee names)."""
        key = (language, kind, type_)
        found = self._by_type.get(key)
        if found is None:
            exact, tested = self._split(language, kind)
            found = sorted(exact.get(type_, []) + [(i, r, m) for i, r, m in tested if m.selector.accepts_type(type_)],
                           key=lambda item: item[0])
            found = [(r, m) for _, r, m in found]
            self._by_type[key] = found
        return found

    def _split(self, language: str, kind: str):
        """(exact type -> [(order, rule, matcher)], [(order, rule, matcher)] needing a test)."""
        split = self._splits.get((language, kind))
        if split is None:
            for rule in self._unindexed.pop(language, ()):
                for matcher in rule.match:
                    self._index[(rule.language, matcher.selector.kind)].append((rule, matcher))
            exact: dict[str, list] = defaultdict(list)
            tested = []
            for order, (rule, matcher) in enumerate(self._index.get((language, kind), ())):
                selector = matcher.selector
                if selector.types and not selector.not_types and not selector._globs:
                    for type_ in selector.types:
                        exact[type_].append((order, rule, matcher))
                else:
                    tested.append((order, rule, matcher))
            split = self._splits[(language, kind)] = (exact, tested)
        return split

    def wanted(self, language: str, kind: str, type_: str) -> bool:
        return bool(self.candidates(language, kind, type_))

    def demand(self, language: str, kind: str, type_: str) -> Demand | None:
        """What a subject of this type must hold for any rule to fire on it (engine.demand), or
        None when no rule reads its type; memoised (a reader asks for every callee it meets)."""
        key = (language, kind, type_)
        found = self._demands.get(key, _UNSET)
        if found is _UNSET:
            matchers = [m for _, m in self.candidates(language, kind, type_)]
            found = None
            if matchers:
                # Types with the same rules share one demand: a reader asks each demand once per file.
                shared = (language, kind, *map(id, matchers))
                found = self._demands.get(shared) or demand_of(matchers)
                self._demands[shared] = found
            self._demands[key] = found
        return found

    # -- entry points -------------------------------------------------------------------

    def analyze(self, path: str, data: bytes, old_tree=None, reuse: Reuse | None = None,
                lines: LineIndex | None = None, inputs: dict | None = None) -> ScanResult:
        """Findings and errors for one file's bytes. Never raises for bad input.

        An editor passes the previous tree, edited, to re-parse only what changed, and a
        Reuse to take the findings of unchanged blocks and documents from the last analysis,
        and the line index it already keeps for the same bytes. `inputs`: the variables of a
        local Terraform module as a caller sets them (module_inputs)."""
        result = ScanResult(path)
        detected = languages.detect(path, data)
        if detected is None:
            result.skipped = None if languages.candidate(path) else NO_RULES
            return result
        language, syntax = detected
        transcoded = False
        if syntax == "python" and len(data) <= self.options.max_file_size:
            try:
                data, transcoded = source_encoding.to_utf8(data)
            except source_encoding.EncodingProblem as exc:
                result.errors.append(FileError(path, str(exc), exc.line))
                return result
        problem = check_input(data, self.options.max_file_size)
        if problem:
            result.errors.append(FileError(path, problem[0], problem[1]))
            return result
        try:
            read = Reader(path, self.options.read_roots, self.options.max_file_size) if language == "terraform" else None
            doc = load(path, language, syntax, data, self.wanted, old_tree, reuse, read, self.demand, inputs)
            result.language = ",".join(doc.languages) or None
            result.tree = doc.tree
            if doc.languages:
                result.findings = self.findings(doc, lines if lines is not None and lines.data is data else None)
                off = self.options.ignored_in(path)
                if off:
                    result.findings = [f for f in result.findings if not f.rule.startswith(off)]
            if transcoded:  # lines and columns hold, byte offsets are the UTF-8 text's: no fixes
                result.findings = [replace(f, fix=None) for f in result.findings]
        except DocumentError as exc:
            result.language = language
            result.errors.append(FileError(path, str(exc), exc.line))
        except RecursionError:
            result.errors.append(FileError(path, "document is nested too deeply to analyse"))
        return result

    def findings(self, doc: Document, lines: LineIndex | None = None) -> list[Finding]:
        lines = lines or LineIndex(doc.data)
        fresh: list[tuple[int, Finding]] = []  # with the start of the subject that made each
        in_tests = in_test_code(doc.path)
        for subject in doc.subjects:
            subject.in_tests = in_tests
            candidates = self.candidates(subject.language or doc.language, subject.kind, subject.type)
            if not candidates:  # most parameters and outputs of a template
                continue
            subject.memo = {}
            body = subject.node
            is_map = body.kind == MAP
            keys = _UNSET  # the body's key text, read when a matcher's `reaches` asks
            contexts: dict = {}  # `each` path -> the nodes it reaches: rules share them (`Statement`)
            for rule, matcher in candidates:
                if matcher.selector.attrs and not matcher.selector.accepts_attrs(subject):
                    continue
                if is_map:
                    # A map without any key the matcher reads: nothing to find. Exact keys are one
                    # set test, not a call.
                    if matcher.key_set is not None:
                        if matcher.key_set.isdisjoint(body.value):
                            continue
                    elif matcher.keys is not None and not matcher.keys(body.value):
                        continue
                elif matcher.each is not None and not _may_reach(matcher.each, body):
                    continue
                if matcher.need is not None and not matcher.need(body):
                    continue
                reaches = matcher.reaches
                if reaches is not None and (keys is not _UNSET or matcher.walks):
                    # No key below the body can be the last of `each` (`*.*password`, most of the
                    # secret rules' paths): one walk of the body's keys per subject, not one per path.
                    if keys is _UNSET:
                        keys = key_text(body)
                    if keys is not None and (reaches[0] not in keys if len(reaches) == 1
                                             else not all(piece in keys for piece in reaches)):
                        continue
                found = self._match(rule, matcher, subject, doc, lines, contexts)
                if found:  # mostly none
                    fresh.extend((subject.start, finding) for finding in found)
            subject.memo = None  # the nodes it keeps are the document's
        for block, body in doc.modules:
            fresh.extend((block.start, f) for f in module_inputs.findings(self, doc.path, block, body, lines))
        if doc.carry is not None:
            raw = doc.carry(fresh, lines)
        else:
            raw = [f for _, f in fresh]
        raw = _one_per_witness(raw)
        if doc.error_at is not None:
            line = lines.line_of(doc.error_at)
            raw.append(self._meta(builtin.SYNTAX_ERROR, doc, lines, lines.starts[line],
                                  lines.line_end(line), line=line + 1))
        return sorted(set(self._suppress(raw, doc, lines)), key=_SORT_KEY)

    # -- matching -------------------------------------------------------------------------

    def _match(self, rule: Rule, matcher, subject, doc: Document, lines: LineIndex,
               reached: dict | None = None) -> list[Finding]:
        """The matcher's findings on one subject; `reached` keeps the nodes each `each` path
        reaches from this subject, for the subject's other matchers."""
        found: list[Finding] = []
        each = matcher.each
        if each is None:
            contexts = [subject.node]
        else:
            contexts = reached.get(each) if reached is not None else None
            if contexts is None:
                contexts = [n for n in _each(locate(subject.node, subject, each)) if n.kind != UNKNOWN]
                if reached is not None:
                    reached[each] = contexts
        for context in contexts:
            if matcher.where is not None:
                truth, witnesses = matcher.where.evaluate(context, subject)
                if truth != TRUE:
                    continue
            else:
                witnesses = [context]
            node = self._report_node(matcher, context, witnesses, subject)
            start, end = self._report_span(node, subject, lines)
            marks = [(start, end, -1)]
            if matcher.checks and node is not None and node.start != node.end:
                inner = inner_match.spans(matcher.checks, node, lines.data)
                if inner and lines.line_of(inner[0][0]) != lines.line_of(start):
                    marks = [(a, b, start) for a, b in inner]
            fix = fixes.build(matcher.fix, context, doc.syntax, lines, subject, doc.shared) if matcher.fix else None
            message = rule.message
            # A value read through a variable says where it comes from (hcl_variables).
            via, names = origins([node, *witnesses]) if doc.language == "terraform" else ((), ())
            if via:
                if any(self._checks_variable(rule, name) for origin, name in zip(via, names) if origin[0] != "\0"):
                    continue  # the rule reports the variable's value where it is defined (secrets)
                message = f"{message} ({'; '.join(via)})"
            for start, end, anchor in marks:
                found.append(self._finding(rule, message, doc.path, lines, start, end, fix,
                                           subject.unit, identity.where(subject, start), anchor))
        return found

    @staticmethod
    def _checks_variable(rule: Rule, name: str) -> bool:
        """Whether the rule looks at this variable's own block (the secret rules check a
        `*password` variable's default there): a value it reads through the variable is then
        reported once, where it is written."""
        return any(m.selector.kind == "variable" and m.each == ("default",) and m.selector.accepts_type(name)
                   for m in rule.match)

    @staticmethod
    def _report_node(matcher, context: Node, witnesses: list[Node], subject) -> Node | None:
        if matcher.report is not None:
            return next(iter(locate(context, subject, matcher.report)), None)
        if witnesses:
            return witnesses[0]
        return context if matcher.each is not None else None

    @staticmethod
    def _report_span(node: Node | None, subject, lines: LineIndex):
        if node is None:
            return subject.start, subject.end
        start, end = node.entry_start, node.end
        first_line = lines.line_of(start)
        if lines.line_of(max(start, end - 1)) != first_line:
            end = lines.line_end(first_line)  # a whole block: mark its first line only
        return start, end

    def _finding(self, rule: Rule, message: str, path: str, lines: LineIndex, start: int, end: int,
                 fix: Fix | None = None, unit: str = "", where: str = "", anchor: int = -1) -> Finding:
        return Finding(rule.id, rule.category, self.severity(rule), path, start, end,
                       lines.position(start), lines.position(end), message, fix, unit, where, anchor)

    def _meta(self, rule: Rule, doc: Document, lines: LineIndex, start: int, end: int, **fields) -> Finding:
        return self._finding(rule, rule.message.format(**fields), doc.path, lines, start, end)

    # -- suppression ----------------------------------------------------------------------

    def _suppress(self, findings: list[Finding], doc: Document, lines: LineIndex) -> list[Finding]:
        comments = suppress.parse(doc.comments, lines)
        if not comments:
            return findings
        today = self.options.date()
        by_target = defaultdict(list)
        for comment in comments:
            if not comment.problem:
                by_target[comment.target].append(comment)
        kept: list[Finding] = []
        for finding in findings:
            covering = by_target.get(finding.start.line - 1, ())
            if finding.anchor >= 0:
                covering = [*covering, *by_target.get(lines.line_of(finding.anchor), ())]
            hit = next((c for c in covering if finding.rule in c.ids
                        and finding.rule not in self.options.unsuppressible
                        and (c.until is None or c.until >= today)), None)
            if hit is None:
                kept.append(finding)
            else:
                hit.used.add(finding.rule)
        for comment in comments:
            problem = comment.problem
            if not problem:
                locked = [i for i in comment.ids if i in self.options.unsuppressible]
                unknown_ids = [i for i in comment.ids if i not in self.known_ids]
                if locked:
                    problem = f"{', '.join(locked)} cannot be suppressed inline in this project (see its config)"
                elif unknown_ids:
                    problem = f"unknown rule id {', '.join(unknown_ids)}"
            if problem:
                kept.append(self._meta(builtin.BAD_SUPPRESSION, doc, lines, comment.start, comment.end,
                                       problem=problem))
                continue
            unused = [i for i in comment.ids if i not in comment.used and i not in self.change_ids]
            if comment.until is not None and comment.until < today:
                kept.append(self._meta(builtin.UNUSED_SUPPRESSION, doc, lines, comment.start, comment.end,
                                       problem=f"expired on {comment.until.isoformat()}"))
            elif unused and self.options.enabled(unused[0]):
                kept.append(self._meta(builtin.UNUSED_SUPPRESSION, doc, lines, comment.start, comment.end,
                                       problem=f"no {', '.join(unused)} finding on the line it covers"))
        return kept


def _may_reach(each: tuple[str, ...], body: Node) -> bool:
    """Whether an `each` path can reach anything from the subject's body, told without walking:
    only maps lead anywhere (an unknown stands for what is below it, and `each` drops unknowns),
    and a map lacking the path's first key leads nowhere. Most Python calls and assignments
    meet a rule's `each: aws_secret_access_key` or `*ecret_access_key`, and end here."""
    if not each or each[0] in (ROOT, OWNER, DOC):
        return True
    first = each[0]
    if body.kind == MAP:
        return "*" in first or first in body.value
    return body.kind == LIST


def _one_per_witness(findings: list[Finding]) -> list[Finding]:
    """A rule that reaches the same value twice reports it once: a Python constant's literal is
    found at its definition (`KEY_PASSWORD = "..."`, from the name) and again where a call reads
    it (from the keyword), two spans that end at the same byte; the one with a fix, else the wider
    one, is kept."""
    kept: dict[tuple[str, int], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.end_byte)
        other = kept.get(key)
        if other is None or (finding.fix is not None, -finding.start_byte) > (other.fix is not None, -other.start_byte):
            kept[key] = finding
    return list(kept.values()) if len(kept) < len(findings) else findings


def _each(nodes: list[Node]):
    for node in nodes:
        yield from flatten(node) if node.kind == LIST else (node,)


def check_input(data: bytes, max_size: int) -> tuple[str, int | None] | None:
    """A one-line reason (and line) why bytes cannot be analysed, or None."""
    if len(data) > max_size:
        return f"file is {len(data):,} bytes, over the {max_size:,}-byte limit (max_file_size)", None
    if b"\0" in data[:_SNIFF]:
        return "binary file (contains NUL bytes)", None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"invalid UTF-8 at line {line} (byte {exc.start})", line
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        return f"NUL byte at line {line}", line
    return None


