"""Output formats for `blastguard check`: text, json, sarif, github."""

from blastguard.reporters import github, json_report, sarif, text

FORMATS = {"text": text.render, "json": json_report.render, "sarif": sarif.render, "github": github.render}
