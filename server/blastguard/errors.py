"""The base of every error that reaches the user as one line (exit code 2), never a traceback."""


class UserError(Exception):
    """A config, rule-file or usage mistake: its text is the whole message, `file:line: ...`."""
