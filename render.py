"""losscape: render optimizers racing down a loss surface (MP4 / GIF / PNG), or export their trajectories.

    python render.py                                   # the default race, to media/
    python render.py --surface saddle --optimizer gd,adam -o saddle.gif
    python render.py list                              # surfaces, optimizers, views, explainer chapters
    python render.py explainer all -o optimizers.mp4   # the lesson "from gradient descent to Adam"
    python render.py basins --surface himmelblau       # which minimum every start reaches, per optimizer
    python render.py sweep --surface ravine            # final loss against learning rate
    python render.py tune --surface rosenbrock         # each optimizer's best settings, by grid search

Every failure is one line on stderr: exit 2 for bad input (before any work), 1 when a run could not finish,
130/143 when interrupted. LOSSCAPE_DEBUG=1 adds the traceback of an unexpected error.
"""

import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from cli.errors import OutputError, UsageError
from cli.process import INTERRUPTED, TERMINATED, Terminated, terminate_as_exception
from cli.streams import GuardedStdout, one_line, reopen_closed_descriptors, silence_stdout, \
    spell_unencodable_in_ascii
from landscapes.spec import SpecError, did_you_mean

# Modules, imported when their command runs: a race need not load what the other commands use.
COMMANDS = {"list": "cli.listing", "explainer": "cli.explainer", "basins": "cli.basins", "sweep": "cli.sweep",
            "tune": "cli.tune"}
RACE = "cli.race"


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand (the race by default); every failure is one line on stderr and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("LOSSCAPE_DEBUG") == "1"
    reopen_closed_descriptors()
    spell_unencodable_in_ascii(sys.stdout, sys.stderr)
    stdout, sys.stdout = sys.stdout, GuardedStdout(sys.stdout)
    try:
        with terminate_as_exception(), warnings.catch_warnings():
            if not debug:  # a library's warning would make the one line several
                warnings.simplefilter("ignore")
            code = dispatch(argv)
            sys.stdout.flush()
            return code
    except SpecError as error:  # UsageError included: every bad input is one line, exit 2
        return fail(error, 2)
    except OutputError as error:  # an output could not be written, or rendering failed
        return fail(error, 1)
    except KeyboardInterrupt:
        return fail("interrupted", INTERRUPTED)
    except Terminated:
        return fail("terminated", TERMINATED)
    except BrokenPipeError:  # `render.py list | head`: the reader left, which is fine
        silence_stdout()
        return 0
    except Exception as error:  # a bug: still one line, unless asked for the traceback
        if debug:
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return fail(f"internal error: {type(error).__name__}{': ' + reason if reason else ''} "
                    "(LOSSCAPE_DEBUG=1 shows the traceback)", 1)
    finally:
        sys.stdout = stdout


def dispatch(argv: list[str]) -> int:
    """The subcommand named first, else the race; a first word that is neither is a typo."""
    if argv and argv[0] in COMMANDS:
        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
    if argv and not argv[0].startswith("-"):
        raise UsageError(f"unknown command {argv[0]!r}{did_you_mean(argv[0], COMMANDS)} "
                         f"(commands: {', '.join(COMMANDS)}; the race takes only options)")
    return importlib.import_module(RACE).main(argv)


def fail(message, code: int) -> int:
    """One line on stderr; nothing at all where stderr is closed (stdout may be a file being written)."""
    if sys.stderr is not None:
        try:
            print(f"render.py: {'error: ' if code in (1, 2) else ''}{one_line(message)}", file=sys.stderr)
        except OSError:
            pass  # stderr is a full disk or gone: the exit code still says it
    return code


def exit_now(code: int) -> None:
    """Leave at once after an interrupt: everything of ours is tidied by then, and the interpreter's own
    shutdown, with JAX's threads still computing, can crash (SIGSEGV instead of 130/143)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    status = main()
    if status in (INTERRUPTED, TERMINATED):
        exit_now(status)
    raise SystemExit(status)
