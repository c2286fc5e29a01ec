"""Standard streams that never turn a finished run into a traceback: closed descriptors, a full disk behind
stdout, a terminal that cannot show '²' or '–', and messages that must stay on one line."""

import codecs
import os
import sys
import unicodedata

from .errors import OutputError

# What a character that the terminal's encoding lacks is written as (else its NFKD letters, else '?').
ASCII = {"–": "-", "—": "--", "−": "-", "×": "x", "·": "*", "→": "->", "≤": "<=", "≥": ">=", "…": "...",
         "≈": "~", "√": "sqrt", "∇": "grad ", "η": "eta", "β": "beta", "μ": "mu", "ε": "eps", "ρ": "rho",
         "θ": "theta", "γ": "gamma", "λ": "lambda", "Σ": "sum", "π": "pi", "½": "1/2", "⅓": "1/3", "¼": "1/4",
         "∈": "in", "‖": "||", "°": " deg", "ᵢ": "_i", "ⱼ": "_j", "ₜ": "_t"}
SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁱⁿ", "0123456789+-()in"))
FALLBACK = "losscape-ascii"


def _spell_in_ascii(error: UnicodeEncodeError) -> tuple[bytes, int]:
    """A byte from a file name that was not UTF-8 (a surrogate escape) as itself; other characters in ASCII."""
    out, previous = b"", ""
    for c in error.object[error.start:error.end]:
        if 0xDC80 <= ord(c) <= 0xDCFF:
            out += bytes([ord(c) - 0xDC00])
        elif c in SUPERSCRIPT:  # x² -> x^2, x¹⁰ -> x^10
            out += (b"" if previous in SUPERSCRIPT else b"^") + SUPERSCRIPT[c].encode()
        else:
            out += (ASCII.get(c) or unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
                    or "?").encode("ascii", "replace")
        previous = c
    return out, error.end


def reopen_closed_descriptors() -> None:
    """Put /dev/null on a closed stdin, stdout or stderr, so that no file we open takes its number (and
    neither ffmpeg's nor the render process's messages land in an output file)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def one_line(message: object) -> str:
    """The message on one line: control characters (a newline or an escape in a value) written as escapes."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape", "backslashreplace").decode()
                   for c in str(message))


class GuardedStdout:
    """sys.stdout, whose write errors (a full disk, a closed reader's EIO) become one OutputError; a reader that
    left (BrokenPipeError) stays what it is, so `render.py list | head` ends quietly."""

    def __init__(self, stream):
        self.stream = stream if stream is not None else open(os.devnull, "w")  # stdout was closed at start

    def write(self, text: str) -> int:
        return self._guard(self.stream.write, text)

    def flush(self) -> None:
        self._guard(self.stream.flush)

    def _guard(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as error:
            silence_stdout()  # the interpreter's own flush at exit would fail again, with a traceback
            raise OutputError(f"cannot write to standard output: {error.strerror or error}") from None

    def __getattr__(self, name):
        return getattr(self.stream, name)


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered is dropped without an error."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno() if sys.__stdout__ else 1)


def spell_unencodable_in_ascii(*streams) -> None:
    """Text streams whose encoding lacks a character write it in ASCII instead of raising."""
    codecs.register_error(FALLBACK, _spell_in_ascii)
    for stream in streams:
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=FALLBACK)
            except (ValueError, OSError):
                pass  # a stream pytest or a caller has already wrapped: leave it
