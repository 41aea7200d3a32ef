"""JUnit XML: one test suite per file with findings, one failing test case per finding, one
erroring test case per file that could not be checked (CI systems show these as test results)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from blastguard.reporters.escape import decoded, printable


def _text(value: str) -> str:
    # XML 1.0 cannot hold most control characters, even escaped.
    return printable(decoded(value))


def render(report, out) -> None:
    by_path = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    errors = defaultdict(list)
    for e in report.errors:
        errors[e.path].append(e)
    root = ET.Element("testsuites", name="blastguard", tests=str(len(report.findings) + len(report.errors)),
                      failures=str(len(report.findings)), errors=str(len(report.errors)))
    for path in sorted(set(by_path) | set(errors)):
        suite = ET.SubElement(root, "testsuite", name=_text(path),
                              tests=str(len(by_path[path]) + len(errors[path])),
                              failures=str(len(by_path[path])), errors=str(len(errors[path])))
        for f in by_path[path]:
            case = ET.SubElement(suite, "testcase", name=f"{f.rule} at line {f.start.line}",
                                 classname=_text(path), file=_text(path), line=str(f.start.line))
            failure = ET.SubElement(case, "failure", message=_text(f.message), type=f.severity.label)
            failure.text = f"{_text(path)}:{f.start.line}:{f.start.column}: {f.severity.label} {f.rule} {_text(f.message)}"
        for e in errors[path]:
            case = ET.SubElement(suite, "testcase", name="check", classname=_text(path), file=_text(path))
            error = ET.SubElement(case, "error", message=_text(e.message))
            error.text = f"{_text(path)}{f':{e.line}' if e.line else ''}: {_text(e.message)}"
    if not by_path and not errors:
        suite = ET.SubElement(root, "testsuite", name="blastguard", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name=f"{report.file_count} files checked", classname="blastguard")
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
