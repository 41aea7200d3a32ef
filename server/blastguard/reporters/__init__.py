"""Output formats for `blastguard check`: concise and full text, json, sarif, github, junit,
gitlab (SAST) and codeclimate (GitLab code quality)."""

from blastguard.reporters import github, gitlab, json_report, junit, sarif, text

FORMATS = {
    "concise": text.render_concise,
    "full": text.render_full,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "gitlab": gitlab.render_sast,
    "codeclimate": gitlab.render_code_quality,
}
# Earlier names that still work.
ALIASES = {"text": "full"}
TEXT_FORMATS = frozenset({"concise", "full"})
