"""The CLI's two kinds of failure, each reported as one line on stderr by `render.py`.

- UsageError: bad input. Exit 2, raised only before any work is done.
- OutputError: a run that could not finish (a write failed, rendering failed). Exit 1; nothing is left behind.
Anything else is a bug: one line too, exit 1, and its traceback only when LOSSCAPE_DEBUG=1.
"""

from landscapes.spec import SpecError


class UsageError(SpecError):
    """Bad command-line input: reported as one line, exit code 2."""


class OutputError(Exception):
    """An output could not be written (full disk, vanished folder, failed render): one line, exit 1."""
