"""Output formats for `blastguard check`: concise and full text, json, sarif, github, junit,
gitlab (SAST) and codeclimate (GitLab code quality)."""

from collections.abc import Mapping
from importlib import import_module


class _Formats(Mapping):
    """Format name -> render function, each reporter imported only when its format is used
    (a one-file check in a hook should not pay for XML, SARIF and GitLab's modules)."""

    _WHERE = {
        "concise": ("text", "render_concise"),
        "full": ("text", "render_full"),
        "json": ("json_report", "render"),
        "sarif": ("sarif", "render"),
        "github": ("github", "render"),
        "junit": ("junit", "render"),
        "gitlab": ("gitlab", "render_sast"),
        "codeclimate": ("gitlab", "render_code_quality"),
    }

    def __getitem__(self, name):
        module, function = self._WHERE[name]
        return getattr(import_module(f"blastguard.reporters.{module}"), function)

    def __iter__(self):
        return iter(self._WHERE)

    def __len__(self) -> int:
        return len(self._WHERE)


FORMATS = _Formats()
# Earlier names that still work.
ALIASES = {"text": "full"}
TEXT_FORMATS = frozenset({"concise", "full"})
