"""losscape: render optimizers racing down a loss surface (MP4 / GIF / PNG), or export their trajectories.

    python render.py                                   # the default race, to media/
    python render.py --surface saddle --optimizer gd,adam -o saddle.gif
    python render.py list                              # surfaces, optimizers, views, explainer chapters
    python render.py explainer all -o optimizers.mp4   # the lesson "from gradient descent to Adam"
    python render.py basins --surface himmelblau       # which minimum every start reaches, per optimizer
    python render.py sweep --surface ravine            # final loss against learning rate
    python render.py tune --surface rosenbrock         # each optimizer's best settings, by grid search
"""

import os
import sys
from collections.abc import Sequence

from cli import basins, explainer, listing, race, sweep, tune
from cli.outputs import OutputError
from cli.process import INTERRUPTED, TERMINATED, Terminated, terminate_as_exception
from landscapes.spec import SpecError

COMMANDS = {"list": listing.main, "explainer": explainer.main, "basins": basins.main, "sweep": sweep.main,
            "tune": tune.main}


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand (the race by default); every failure is one line on stderr and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(argv[0]) if argv else None
    try:
        with terminate_as_exception():
            return command(argv[1:]) if command else race.main(argv)
    except SpecError as error:  # UsageError included: every bad input is one line, exit 2
        return fail(error, 2)
    except (OutputError, RuntimeError) as error:  # an output could not be written, or rendering failed
        return fail(error, 1)
    except KeyboardInterrupt:
        return fail("interrupted", INTERRUPTED)
    except Terminated:
        return fail("terminated", TERMINATED)
    except BrokenPipeError:  # `render.py list | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def fail(message, code: int) -> int:
    print(f"render.py: {'error: ' if code in (1, 2) else ''}{message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
