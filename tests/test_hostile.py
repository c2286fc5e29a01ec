"""Hostile input and faults, as a new user or an attacker would try them: each case runs `render.py` in a fresh
subprocess, in a folder of its own with a private TMPDIR, and must end with the exit code given, exactly one line
on stderr (none on success), no traceback, nothing at the target or beside it, an empty TMPDIR, in bounded time.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import DEFAULT_SIGINT

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 90  # a case that takes longer hangs (the slowest case compiles a program and renders a still)

# A quick trajectory export: 3 steps of GD from the surface's start, written to t.csv.
EXPORT = ("--optimizer", "gd", "--steps", "3", "--no-render", "--trajectory-out", "t.csv", "-q")
# The same without the surface, for cases that set their own.
BARE = ("--optimizer", "gd", "--steps", "3", "--no-render", "-q")


@dataclass(frozen=True)
class Case:
    """argv for render.py; `code` its exit code; `words` that the one stderr line names; `files` made first
    (name -> text or bytes, or None for a folder); `env` added; `shell` a bash prefix (ulimit, redirections);
    `made` the files a successful case leaves (besides `files`)."""

    argv: tuple
    code: int = 2
    words: tuple[str, ...] = ()
    files: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    shell: str = ""
    made: tuple[str, ...] = ()
    stderr_closed: bool = False


def config(text: str | bytes, *argv: str, **kwargs) -> Case:
    return Case(("--config", "c.toml", *argv), files={"c.toml": text}, **kwargs)


CASES = {
    # 1. Config values of the wrong type, and config files that are not what they claim.
    "toml date as seed": config("seed = 1979-05-27\n", *EXPORT, words=("seed",)),
    "toml time as steps": config("steps = 12:00:00\n", *EXPORT, words=("steps",)),
    "toml float steps": config("steps = 1.5\n", *EXPORT, words=("steps",)),
    "toml bool steps": config("steps = true\n", *EXPORT, words=("steps",)),
    "toml list for a single value": config("steps = [1, 2]\n", *EXPORT, words=("steps",)),
    "toml table as surface": config("[surface]\na = 1\n", *EXPORT, words=("surface",)),
    "toml table in optimizer list": config("optimizer = [{a = 1}]\n", "--steps", "3", "--no-render",
                                           "--trajectory-out", "t.csv", words=("optimizer",)),
    "toml number as quality": config("quality = 5\n", *EXPORT, words=("quality",)),
    "toml string as a switch": config('no-render = "yes"\n', *EXPORT, words=("no-render",)),
    "toml nan duration": config("duration = nan\n", *EXPORT, words=("duration",)),
    "toml huge seed": config("seed = 1180591620717411303424\n", *EXPORT, words=("seed",)),
    "toml negative seed": config("seed = -1\n", *EXPORT, words=("seed",)),
    "toml float fps": config("fps = 1e3\n", *EXPORT, words=("fps",)),
    "toml key twice in two spellings": config("no-render = true\nno_render = false\n", *EXPORT,
                                              words=("no_render", "twice")),
    "toml duplicate key": config("seed = 1\nseed = 2\n", *EXPORT, words=("c.toml",)),
    "toml unknown key": config("sead = 1\n", *EXPORT, words=("did you mean 'seed'",)),
    "toml nested config key": config('config = "other.toml"\n', *EXPORT, words=("config",)),
    "config not utf-8": config(b"seed = 1\n# caf\xe9\n", *EXPORT, words=("UTF-8",)),
    "config binary": config(bytes(range(256)), *EXPORT, words=("c.toml",)),
    "config empty path": Case(("--config", "", *EXPORT), words=("--config",)),
    "config missing": Case(("--config", "missing.toml", *EXPORT), words=("missing.toml",)),
    "config is a folder": Case(("--config", "d", *EXPORT), files={"d": None}, words=("d",)),
    "config is /dev/zero": Case(("--config", "/dev/zero", *EXPORT), words=("/dev/zero", "regular file")),
    "config is a fifo": Case(("--config", "fifo", *EXPORT), files={"fifo": "FIFO"}, words=("regular file",)),
    "config too large": config("# " + "x" * 2_000_000 + "\n", *EXPORT, words=("too large",)),
    "config output with no-render": config('output = ["x.png"]\n', *EXPORT, words=("--output", "--no-render")),

    # 2. Paths that pass a shallow check but fail on write; suffixes in any case.
    "trajectory under /sys": Case(("--trajectory-out", "/sys/t.csv", *BARE), words=("/sys/t.csv",)),
    "trajectory under /proc": Case(("--trajectory-out", "/proc/t.csv", *BARE), words=("/proc/t.csv",)),
    "output under /sys": Case(("-o", "/sys/kernel/x.png", "--steps", "3", "-q"), words=("/sys/kernel/x.png",)),
    "file name of 250 characters": Case(("--trajectory-out", "a" * 246 + ".csv", *BARE), code=0,
                                        made=("a" * 246 + ".csv",)),
    "file name of 256 characters": Case(("--trajectory-out", "a" * 252 + ".csv", *BARE), words=("too long",)),
    "path of 5000 characters": Case(("--trajectory-out", "d/" * 2500 + "t.csv", *BARE), words=("too long",)),
    "upper-case CSV suffix": Case(("--trajectory-out", "T.CSV", *BARE), code=0, made=("T.CSV",)),
    "upper-case PNG suffix": Case(("-o", "X.PNG", "--optimizer", "gd", "--steps", "3", "--quality", "low", "-q"),
                                  code=0, made=("X.PNG",)),
    "output folder missing": Case(("-o", "nowhere/x.png", "--steps", "3", "-q"), words=("does not exist",)),
    "output folder is a file": Case(("-o", "f/x.png", "--steps", "3", "-q"), files={"f": "x"},
                                    words=("f/x.png",)),
    "output is a folder": Case(("-o", "d.png", "--steps", "3", "-q"), files={"d.png": None}, words=("folder",)),
    "output with no name": Case(("-o", "", "--steps", "3", "-q"), words=("--output",)),
    "output only a suffix": Case(("-o", ".png", "--steps", "3", "-q"), words=("--output",)),
    "output of an unknown format": Case(("-o", "x.webm", "--steps", "3", "-q"), words=(".webm",)),
    "trajectory with a video suffix": Case(("--trajectory-out", "t.png", *BARE), words=(".png",)),
    "study table under /proc": Case(("sweep", "--table-out", "/proc/t.csv", "-q"), words=("/proc/t.csv",)),
    "study table upper-case": Case(("sweep", "--surface", "ravine", "--optimizer", "gd", "--steps", "5",
                                    "--learning-rates", "0.01:0.1:4", "--table-out", "T.CSV", "-o", "s.PNG",
                                    "--quality", "low", "-q"), code=0, made=("T.CSV", "s.PNG")),
    "gif folder is a file": Case(("explainer", "momentum", "--gif-dir", "f", "--max-steps", "3", "-q"),
                                 files={"f": "x"}, words=("--gif-dir",)),
    "gif folder under /proc": Case(("explainer", "momentum", "--gif-dir", "/proc/g", "--max-steps", "3", "-q"),
                                   words=("--gif-dir",)),
    "gif folder's parent missing": Case(("explainer", "momentum", "--gif-dir", "a/b/c", "--max-steps", "3", "-q"),
                                        words=("--gif-dir",)),
    "gif folder made when written": Case(("explainer", "momentum", "--gif-dir", "g", "--max-steps", "3", "--quality",
                                          "low", "--duration", "1", "-q"), code=0, made=("g", "g/01-momentum.gif")),
    "save-runs at a file": Case(("explainer", "momentum", "--save-runs", "f", "--max-steps", "3", "-q"),
                                files={"f": "x"}, words=("--save-runs",)),
    "save-runs under /proc": Case(("explainer", "momentum", "--save-runs", "/proc/r", "--max-steps", "3", "-q"),
                                  words=("--save-runs",)),
    "non-UTF-8 output name": Case(("--trajectory-out", b"caf\xe9.csv", "--optimizer", "gd", "--steps", "3",
                                   "--no-render"), code=0, made=("caf\udce9.csv",)),

    "save-runs into a folder with other files": Case(("explainer", "momentum", "--save-runs", "d", "--max-steps",
                                                      "3", "-q"), files={"d": None, "d/keep.txt": "x"},
                                                     words=("--save-runs", "other files")),
    "save-runs into the current folder": Case(("explainer", "momentum", "--save-runs", ".", "--max-steps", "3"),
                                              words=("--save-runs",)),
    "save-runs into a parent folder": Case(("explainer", "momentum", "--save-runs", "..", "--max-steps", "3"),
                                           words=("--save-runs",)),
    "default output folder is a file": Case(("sweep", "--steps", "3", "-q"), files={"media": "x"},
                                            words=("media",)),
    "default output folder is a dangling link": Case(("basins", "--steps", "3", "-q"),
                                                     files={"media": ("LINK", "nowhere")}, words=("media",)),
    "race default folder is a file": Case(("--steps", "3", "--quality", "low", "--trajectory-out", "t.csv", "-q"),
                                          files={"media": "x"}, words=("media",)),
    "explainer default folder is a file": Case(("explainer", "momentum", "--max-steps", "3", "-q"),
                                               files={"media": "x"}, words=("media",)),
    "empty trajectory name": Case(("--steps", "3", "--trajectory-out=", "-o", "x.png", "-q"),
                                  words=("--trajectory-out",)),
    "empty table name": Case(("sweep", "--steps", "3", "--table-out=", "-q"), words=("--table-out",)),
    "output is the config file": Case(("--config", "c.csv", "--trajectory-out", "c.csv", *BARE),
                                      files={"c.csv": "seed = 0\n"}, words=("--config",)),
    "two outputs one file": Case(("-o", "x.png", "-o", "./x.png", "--steps", "3", "-q"), words=("same file",)),
    "table and picture one file": Case(("sweep", "--table-out", "x.csv", "-o", "x.csv", "-q"),
                                       words=("--output",)),
    "gif folder is an output": Case(("explainer", "momentum", "--gif-dir", "x.gif", "-o", "x.gif", "--max-steps",
                                     "3", "-q"), words=("same file",)),
    "output into the gif folder": Case(("explainer", "momentum", "--gif-dir", "g", "-o", "g/01-momentum.gif",
                                        "--max-steps", "3", "-q"), files={"g": None}, words=("same file",)),
    "failed bad input leaves no media folder": Case(("sweep", "--start", "100,100", "--steps", "3", "-q"),
                                                    words=("--start",)),
    "table only makes no media folder": Case(("tune", "--optimizer", "gd", "--steps", "3", "--table-out", "t.csv",
                                              "-q"), code=0, made=("t.csv",)),
    "study start outside its domain": Case(("sweep", "--domain", "-1,1,-1,1", "--start", "1.5,0", "--steps", "3",
                                            "-q"), words=("--start", "domain")),
    "flat surface": Case(("--surface", "1e100", *BARE, "--trajectory-out", "t.csv"), words=("flat",)),
    "flat surface swept": Case(("sweep", "--surface", "0", "--steps", "3", "-q", "-o", "x.png"), words=("flat",)),

    # 3. Flags that would be ignored, or that silently conflict.
    "rendering flag with no-render": Case(("--quality", "4k", *EXPORT), words=("--quality", "--no-render")),
    "view with no-render": Case(("--view", "contour", *EXPORT), words=("--view",)),
    "switches with no-render": Case(("--glyphs", "--dots", *EXPORT), words=("--glyphs",)),
    "seed with nothing random": Case(("--seed", "7", *EXPORT), words=("--seed", "--noise")),
    "fps for a still": Case(("--fps", "5", "-o", "x.png", "--steps", "3"), words=("--fps", "PNG")),
    "study fps for a still": Case(("basins", "--fps", "5", "-o", "x.png"), words=("--fps",)),
    "tune quality without a picture": Case(("tune", "--quality", "4k", "--table-out", "t.csv"),
                                           words=("--quality",)),
    "explainer duration for a still": Case(("explainer", "momentum", "--duration", "3", "-o", "x.png"),
                                           words=("--duration",)),
    "output with no-render": Case(("-o", "x.txt", *EXPORT), words=("--output", "--no-render")),
    "png output with no-render": Case(("-o", "x.png", *EXPORT), words=("--output", "--no-render")),
    "preview with output": Case(("--preview", "-o", "x.png", "--steps", "3"), env={"DISPLAY": ":0"},
                                words=("--preview", "--output")),
    "preview with no-render": Case(("--preview", *EXPORT), env={"DISPLAY": ":0"}, words=("--preview",)),
    "gif width without a gif": Case(("--gif-width", "320", "-o", "x.png", "--steps", "3", "-q"),
                                    words=("--gif-width",)),
    "surface key twice": Case(("--surface", "abs-valley:a=1,a=2", *EXPORT), words=("'a'", "twice")),
    "optimizer key twice": Case(("--optimizer", "gd:lr=0.1,lr=0.2", "--steps", "3", "--no-render",
                                 "--trajectory-out", "t.csv"), words=("lr", "twice")),
    "optimizer key and alias": Case(("--optimizer", "gd:lr=0.1,learning_rate=0.2", "--steps", "3",
                                     "--no-render", "--trajectory-out", "t.csv"), words=("learning_rate", "twice")),
    "flag twice": Case(("--steps", "3", *EXPORT), words=("--steps", "twice")),
    "surface twice": Case(("--surface", "saddle", "--surface", "ravine", *EXPORT), words=("--surface", "twice")),
    "same optimizer twice": Case(("--optimizer", "adam,adam", "--steps", "3", "--no-render",
                                  "--trajectory-out", "t.csv"), words=("adam", "twice")),
    "typo in a command": Case(("lst",), words=("did you mean 'list'",)),
    "typo in a flag": Case(("--optimiser", "gd", *EXPORT), words=("did you mean '--optimizer'",)),
    "abbreviated flag": Case(("--optim", "gd", "--steps", "3", "--no-render", "--trajectory-out", "t.csv"),
                             words=("--optim",)),
    "typo in a view": Case(("--view", "contuor", "--steps", "3", "-q"), words=("did you mean 'contour'",)),
    "typo in a quality": Case(("--quality", "hihg", "--steps", "3", "-q"), words=("did you mean 'high'",)),
    "typo in an explainer flag": Case(("explainer", "momentum", "--qualty", "low"), words=("--quality",)),
    "explainer list with a chapter": Case(("explainer", "--list", "momentum"), words=("--list",)),
    "explainer save-runs with output": Case(("explainer", "momentum", "--save-runs", "r", "-o", "x.mp4"),
                                            words=("--save-runs", "--output")),
    "explainer extra argument": Case(("explainer", "momentum", "nesterov"), words=("nesterov",)),
    "explainer unknown chapter": Case(("explainer", "momentm"), words=("did you mean 'momentum'",)),
    "list extra argument": Case(("list", "surfaces"), words=("surfaces",)),
    "sweep with a learning rate set": Case(("sweep", "--optimizer", "gd:lr=0.1", "-q"),
                                           words=("learning_rate", "sweep")),
    "tune with a learning rate set": Case(("tune", "--optimizer", "adam:lr=0.1", "-q"),
                                          words=("learning_rate", "tune")),
    "tune objective typo": Case(("tune", "--objective", "mena", "-q"), words=("did you mean 'mean'",)),

    # 4. optax names that are not optimizers, or that need more than a learning rate.
    "optax NamedTuple class": Case(("--optimizer", "optax:ScaleByBacktrackingLinesearchState", *EXPORT[2:]),
                                   words=("ScaleByBacktrackingLinesearchState",)),
    "optax lbfgs": Case(("--optimizer", "optax:lbfgs", *EXPORT[2:]), words=("lbfgs",)),
    "optax class": Case(("--optimizer", "optax:GradientTransformation", *EXPORT[2:]), words=("optax",)),
    "optax module": Case(("--optimizer", "optax:tree_utils", *EXPORT[2:]), words=("tree_utils",)),
    "optax private name": Case(("--optimizer", "optax:_src", *EXPORT[2:]), words=("_src",)),
    "optax nothing": Case(("--optimizer", "optax:", *EXPORT[2:]), words=("optax",)),
    "optax required argument": Case(("--optimizer", "optax:dpsgd", *EXPORT[2:]), words=("l2_norm_clip",)),
    "optax default None": Case(("--optimizer", "optax:sgd:momentum=0.9", *EXPORT[2:]), code=0, made=("t.csv",)),
    "optax default None out of range": Case(("--optimizer", "optax:sgd:momentum=1.5", *EXPORT[2:]),
                                            words=("momentum",)),
    "optax integer overflow": Case(("--optimizer", "optax:adafactor:decay_offset=1e30", *EXPORT[2:]),
                                   words=("decay_offset",)),
    "optax integer negative": Case(("--optimizer", "optax:adafactor:decay_offset=-1", *EXPORT[2:]),
                                   words=("decay_offset",)),
    "optax dtype setting": Case(("--optimizer", "optax:adam:mu_dtype=1", *EXPORT[2:]), words=("mu_dtype",)),
    "optax bool setting": Case(("--optimizer", "optax:adam:nesterov=maybe", *EXPORT[2:]), words=("nesterov",)),
    "huge learning rate": Case(("--optimizer", "gd:lr=1e300", *EXPORT[2:]), words=("learning_rate",)),
    "huge weight decay": Case(("--optimizer", "adamw:weight_decay=1e200", *EXPORT[2:]), words=("weight_decay",)),

    # 5. Surfaces that are not finite where they are evaluated, and domains that overflow.
    "surface NaN everywhere": Case(("--surface", "sqrt(-1)*x", *BARE, "--trajectory-out", "t.csv"),
                                   words=("not finite",)),
    "surface NaN on half the domain": Case(("--surface", "log(x)", *BARE, "--trajectory-out", "t.csv"),
                                           words=("not finite",)),
    "surface infinite at a point": Case(("--surface", "1/x", *BARE, "--trajectory-out", "t.csv"),
                                        words=("not finite", "x = 0")),
    "surface overflows": Case(("--surface", "exp(1000*x)", *BARE, "--trajectory-out", "t.csv"),
                              words=("not finite",)),
    "surface parameter overflows": Case(("--surface", "abs-valley:a=1e308", *EXPORT), words=("not finite",)),
    "surface NaN when rendered": Case(("--surface", "sqrt(-1)*x", "--steps", "3", "-o", "x.png", "-q"),
                                      words=("not finite",)),
    "domain of 1e308": Case(("--surface", "x**2", "--domain", "-1e308,1e308,-1,1", *EXPORT), words=("--domain",)),
    "domain reversed": Case(("--surface", "x**2", "--domain", "1,-1,-1,1", *EXPORT), words=("--domain",)),
    "domain of three numbers": Case(("--surface", "x**2", "--domain", "0,1,0", *EXPORT), words=("--domain",)),
    "domain with nan": Case(("--surface", "x**2", "--domain", "nan,1,0,1", *EXPORT), words=("--domain",)),
    "domain too thin": Case(("--surface", "x**2", "--domain", "0,1e-300,0,1", *EXPORT), words=("--domain",)),
    "start far outside": Case(("--start", "1e300,0", *EXPORT), words=("--start", "domain")),
    "start just outside": Case(("--surface", "saddle", "--start", "3,0", *EXPORT), words=("--start", "domain")),
    "start of three numbers": Case(("--start", "1,2,3", *EXPORT), words=("--start",)),
    "start empty": Case(("--start", ",", *EXPORT), words=("--start",)),
    "expression too long": Case(("--surface", "+".join(["x"] * 2000), *EXPORT), words=("too long",)),
    "expression deeply nested": Case(("--surface", "sin(" * 120 + "x" + ")" * 120, *EXPORT), words=("surface",)),
    "expression huge power": Case(("--surface", "x**10**10**10", *EXPORT), words=("surface",)),
    "expression with a newline": Case(("--surface", "x\ny", *EXPORT), words=("surface",)),
    "expression with escape codes": Case(("--surface", "x\x1b[31m", *EXPORT), words=("surface",)),
    "value with a newline": Case(("--optimizer", "gd\nadam", *EXPORT[2:]), words=("\\n",)),
    "value with escape codes": Case(("--view", "3d\x1b[2J", "--steps", "3"), words=("\\x1b",)),
    "non-UTF-8 surface": Case(("--surface", b"\xff", *EXPORT), words=("surface",)),

    # 6. The same limits everywhere, and a bound on the total work.
    "explainer fps of 100000": Case(("explainer", "momentum", "--fps", "100000"), words=("--fps", "120")),
    "study fps of 100000": Case(("basins", "--fps", "100000"), words=("--fps", "120")),
    "race fps of 100000": Case(("--fps", "100000", "--steps", "3"), words=("--fps", "120")),
    "gif width of 100000": Case(("--gif-width", "100000", "-o", "x.gif", "--steps", "3"), words=("--gif-width",)),
    "explainer gif width of 100000": Case(("explainer", "momentum", "--gif-width", "100000", "-o", "x.gif"),
                                          words=("--gif-width",)),
    "study gif width of 100000": Case(("sweep", "--gif-width", "100000", "-o", "x.gif"), words=("--gif-width",)),
    "gif width of 8": Case(("--gif-width", "8", "-o", "x.gif", "--steps", "3"), words=("--gif-width",)),
    "explainer duration 0": Case(("explainer", "momentum", "--duration", "0"), words=("--duration",)),
    "explainer duration nan": Case(("explainer", "momentum", "--duration", "nan"), words=("--duration",)),
    "study duration inf": Case(("basins", "--duration", "inf"), words=("--duration",)),
    "race duration 1e9": Case(("--duration", "1e9", "--steps", "3"), words=("--duration",)),
    "race steps of ten million": Case(("--steps", "10000000", "--no-render", "--trajectory-out", "t.csv"),
                                      words=("--steps",)),
    "race work too large": Case(("--optimizer", "gd,sgd,momentum,nesterov,adagrad,adadelta,rmsprop,adam,adamw,"
                                 "nadam,amsgrad,adabelief,lion", *sum((("--start", f"{i / 40},0") for i in range(64)),
                                                                      ()),
                                 "--steps", "100000", "--no-render", "--trajectory-out", "t.csv"),
                                words=("path points", "2,000,000")),
    "too many optimizers": Case(("--optimizer", ",".join(["gd"] * 40), *EXPORT[2:]), words=("optimizer",)),
    "too many starts": Case((*sum((("--start", f"{i / 100},0") for i in range(65)), ()), *EXPORT),
                            words=("--start",)),
    "basins work too large": Case(("basins", "--resolution", "1001", "--steps", "5000", "-q"),
                                  words=("steps", "500,000,000")),
    "basins resolution 1": Case(("basins", "--resolution", "1"), words=("--resolution",)),
    "sweep rates too many": Case(("sweep", "--learning-rates", "1e-4:1:100000"), words=("--learning-rates",)),
    "sweep rates reversed": Case(("sweep", "--learning-rates", "1:1e-4:10"), words=("--learning-rates",)),
    "study steps of a million": Case(("tune", "--steps", "1000000"), words=("--steps",)),
    "explainer max-steps 0": Case(("explainer", "momentum", "--max-steps", "0"), words=("--max-steps",)),
    "negative noise": Case(("--noise", "-1", *EXPORT), words=("--noise",)),
    "huge noise": Case(("--noise", "1e300", *EXPORT), words=("--noise",)),
    "seed too large": Case(("--seed", "99999999999999999999999", *EXPORT), words=("--seed",)),
    "negative seed": Case(("--seed", "-5", *EXPORT), words=("--seed",)),
    "batch larger than the data": Case(("--surface", "linear-regression", "--batch-size", "100000", *EXPORT),
                                       words=("--batch-size",)),
    "surface name too long": Case(("--surface", "a" * 5000, *EXPORT), words=("too long",)),
    "optimizer spec too long": Case(("--optimizer", "gd:lr=0." + "1" * 5000, *EXPORT[2:]), words=("too long",)),
    "frames beyond the limit": Case(("--quality", "4k", "--fps", "120", "--duration", "600", "--steps", "3"),
                                    words=("frames",)),

    # 7. Output streams and the environment.
    "stdout is a full disk": Case(("--optimizer", "gd", "--steps", "3", "--no-render", "--trajectory-out", "t.csv"),
                                  shell="exec >/dev/full; ", code=1, words=("standard output",), made=("t.csv",)),
    "list to a full disk": Case(("list",), shell="exec >/dev/full; ", code=1, words=("standard output",)),
    "file size limit for the caches": Case(EXPORT, shell="ulimit -f 2; ", code=0, made=("t.csv",),
                                           env={"LOSSCAPE_CACHE_DIR": "cache"}),
    "file size limit for the output": Case(("--optimizer", "gd", "--steps", "500", "--no-render",
                                            "--trajectory-out", "t.csv", "-q"), shell="ulimit -f 2; ", code=1,
                                           words=("t.csv",), env={"LOSSCAPE_CACHE_DIR": "cache"}),
    "file size limit while rendering": Case(("--optimizer", "gd", "--steps", "3", "-o", "x.png", "-q"),
                                            shell="ulimit -f 16; ", code=1, words=("temporary files",),
                                            env={"LOSSCAPE_CACHE_DIR": "cache"}),
    "C locale list": Case(("list",), env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}, code=0),
    "ASCII output list": Case(("list",), env={"PYTHONIOENCODING": "ascii"}, code=0),
    "C locale error": Case(("--surface", "x²", *EXPORT), env={"LC_ALL": "C", "PYTHONUTF8": "0"},
                           words=("surface",)),
    "display that does not answer": Case(("--preview", "--steps", "3"), env={"DISPLAY": ":97"},
                                         words=("display", ":97")),
    "wayland socket missing": Case(("--preview", "--steps", "3"), env={"WAYLAND_DISPLAY": "nowhere-0"},
                                   words=("display",)),
    "stderr closed": Case(("--steps", "0"), shell="exec 2>&-; ", stderr_closed=True),
    "stdout closed": Case(("--optimizer", "gd", "--steps", "3", "--no-render", "--trajectory-out", "t.csv"),
                          shell="exec >&-; ", code=0, made=("t.csv",)),
    "stdin closed": Case(EXPORT, shell="exec <&-; ", code=0, made=("t.csv",)),
    "home not writable": Case(EXPORT, env={"HOME": "/proc", "XDG_CACHE_HOME": "", "LOSSCAPE_CACHE_DIR": ""},
                              code=0, made=("t.csv",)),
    "home not writable while rendering": Case(("--optimizer", "gd", "--steps", "3", "--quality", "low", "-o",
                                               "x.png", "-q"), env={"HOME": "/proc", "XDG_CACHE_HOME": "",
                                                                   "LOSSCAPE_CACHE_DIR": ""}, code=0, made=("x.png",)),
    "cache home not a folder while rendering": Case(("--optimizer", "gd", "--steps", "3", "--quality", "low", "-o",
                                                     "x.png", "-q"), env={"XDG_CACHE_HOME": "/dev/null"}, code=0,
                                                    made=("x.png",)),
    "cache dir is a file": Case(EXPORT, env={"LOSSCAPE_CACHE_DIR": "f"}, files={"f": "x"}, code=0,
                                made=("t.csv",)),
    "cache dir under /proc": Case(EXPORT, env={"LOSSCAPE_CACHE_DIR": "/proc/cache"}, code=0, made=("t.csv",)),
    "debug does not change usage errors": Case(("--steps", "0"), env={"LOSSCAPE_DEBUG": "1"}, words=("--steps",)),
}

# Each limit of the one table, just past its bound: a new limit without a case here fails the test below.
STARTS_64 = tuple(a for i in range(64) for a in ("--start", f"{i / 40 - 0.8},0"))
BEYOND_LIMITS = {
    "fps": Case(("--fps", "121", "--steps", "3"), words=("--fps", "120")),
    "duration": Case(("--duration", "600.5", "--steps", "3"), words=("--duration", "600")),
    "frames": Case(("--fps", "120", "--duration", "301", "--steps", "3"), words=("frames", "36,000")),
    "gif_width": Case(("--gif-width", "3841", "-o", "x.gif", "--steps", "3"), words=("--gif-width", "3,840")),
    "steps": Case(("--steps", "100001", "--no-render", "--trajectory-out", "t.csv"), words=("--steps", "100,000")),
    "study_steps": Case(("sweep", "--steps", "5001"), words=("--steps", "5,000")),
    "starts": Case((*STARTS_64, "--start", "0,0.5", *EXPORT), words=("--start", "64")),
    "optimizers": Case((*(a for i in range(17) for a in ("--optimizer", f"gd:lr=0.0{i + 10}")), *EXPORT[2:]),
                       words=("optimizers", "16")),
    "path_points": Case(("--optimizer", "gd", *STARTS_64, "--steps", "40000", "--no-render", "--trajectory-out",
                         "t.csv"), words=("path points", "2,000,000")),
    "study_work": Case(("basins", "--resolution", "1001", "--steps", "125", "-q"), words=("500,000,000",)),
    "table_rows": Case(("basins", "--resolution", "1001", "--steps", "1", "--optimizer", "gd,sgd,momentum,adam,lion",
                        "--table-out", "t.csv", "-q"), words=("--table-out", "4,100,000")),
    "hidden": Case(("--surface", "moons-mlp:hidden=513", *EXPORT), words=("hidden", "512")),
    "network_steps": Case(("--surface", "moons-mlp", "--steps", "3001", "--no-render", "--trajectory-out", "t.csv"),
                          words=("--steps", "network", "3,000")),
    "resolution": Case(("basins", "--resolution", "1002"), words=("--resolution", "1,001")),
    "rates": Case(("sweep", "--learning-rates", "1e-4:1:4097"), words=("--learning-rates", "4,096")),
    "seed": Case(("--seed", "4294967296", *EXPORT), words=("--seed", "4,294,967,295")),
    "noise": Case(("--noise", "1000001", *EXPORT), words=("--noise", "1,000,000")),
    "hyperparameter": Case(("--optimizer", "gd:lr=1000001", *EXPORT[2:]), words=("learning_rate", "1,000,000")),
    "integer_hyperparameter": Case(("--optimizer", "optax:adafactor:decay_offset=2147483648", *EXPORT[2:]),
                                   words=("decay_offset", "2,147,483,647")),
    "coordinate": Case(("--surface", "x**2", "--domain", "-1000001,1,-1,1", *EXPORT), words=("--domain",)),
    "domain_span": Case(("--surface", "x**2", "--domain", "0,1e-7,0,1", *EXPORT), words=("--domain",)),
    "spec_length": Case(("--optimizer", "gd:lr=0." + "1" * 1000, *EXPORT[2:]), words=("too long", "1,000")),
    "expression_length": Case(("--surface", "x" + "+x" * 250, *EXPORT), words=("too long", "500")),
    "expression_depth": Case(("--surface", "(" * 51 + "x" + ")" * 51, *EXPORT), words=("50",)),
    "expression_exponent": Case(("--surface", "x**65", *EXPORT), words=("64",)),
    "expression_literal": Case(("--surface", "x*1e101", *EXPORT), words=("surface",)),
    "file_name_bytes": Case(("--trajectory-out", "é" * 126 + ".csv", *BARE), words=("too long", "255")),
    "path_bytes": Case(("--trajectory-out", "d/" * 2046 + "t.csv", *BARE), words=("too long", "4,095")),
    "config_bytes": config("# " + "x" * 1_000_000 + "\n", *EXPORT, words=("too large", "1,000,000")),
}
CASES.update({f"beyond the limit: {name}": case for name, case in BEYOND_LIMITS.items()})


def _prepare(case: Case, folder: Path) -> None:
    for name, content in case.files.items():
        path = folder / name
        if content is None:
            path.mkdir()
        elif content == "FIFO":
            os.mkfifo(path)
        elif isinstance(content, tuple):  # ("LINK", target)
            path.symlink_to(content[1])
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in [*folder.rglob("*"), *(q for q in folder.iterdir() if q.is_symlink())]}


def _environment(tmp: Path, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "LOSSCAPE_DEBUG")}
    env.update(TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def _command(case: Case) -> list:
    argv = [sys.executable, str(ROOT / "render.py"), *case.argv]
    return ["bash", "-c", f'{case.shell}exec "$@"', "bash", *argv] if case.shell else argv


@pytest.mark.parametrize("name", CASES)
def test_hostile_input(name, tmp_path):
    case = CASES[name]
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    _prepare(case, work)
    before = _listing(work)
    done = subprocess.run(_command(case), cwd=work, env=_environment(tmp, case.env), capture_output=True,
                          timeout=LIMIT_S)
    out, err = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    assert done.returncode == case.code, f"exit {done.returncode}\n{err}"
    assert "Traceback" not in out + err
    lines = err.splitlines()
    if case.stderr_closed:
        assert out == "" and err == ""
    elif case.code == 0:
        assert lines == [], err
    else:
        assert len(lines) == 1 and lines[0].startswith("render.py: "), err
        assert "\x1b" not in err
        for word in case.words:
            assert word in lines[0], err
    made = {m for m in case.made}
    assert _listing(work) - before - {"cache"} - {p for p in _listing(work) if p.startswith("cache/")} == made
    assert not list(tmp.iterdir()), list(tmp.iterdir())


def test_at_least_a_hundred_cases():
    assert len(CASES) >= 100


def test_every_limit_has_a_case():
    from landscapes.limits import LIMITS

    assert set(BEYOND_LIMITS) == set(LIMITS)


# 8. Signals and a crashed render process: an exit code and one line, no litter, no process left running.

def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _processes_with(tmp: Path) -> list[int]:
    """Processes whose environment names this case's private TMPDIR: ours, and whatever they started."""
    marker = f"TMPDIR={tmp}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _start(tmp_path, argv):
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    process = subprocess.Popen([sys.executable, "-c", DEFAULT_SIGINT, str(ROOT / "render.py"), *argv], cwd=work,
                               env=_environment(tmp, {}), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return process, work, tmp


def _wait_for(condition, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the point to interrupt"
        time.sleep(0.05)


def _assert_clean_end(process, work, tmp, code, word):
    out, err = process.communicate(timeout=LIMIT_S)
    assert process.returncode == code, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and word in lines[0], err
    assert b"Traceback" not in out + err
    assert list(work.iterdir()) == []
    assert list(tmp.iterdir()) == []
    deadline = time.monotonic() + 10  # the render process and ffmpeg are gone too (they may take a moment)
    while _processes_with(tmp) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(tmp) == []


RENDER = ("--optimizer", "gd,adam", "--steps", "60", "--quality", "low", "-o", "race.mp4", "-o", "race.gif", "-q")


# Stands in for `python -m scenes JOB PID --worker W` (argv[1:]): worker 0 fails, saying why, once worker 1, a real
# render process's watch on its CLI, is running; the CLI then stops worker 1, which removes the job's folder.
FAILING_WORKERS = """
import os, sys, time
from pathlib import Path
from scenes.__main__ import watch_parent
from scenes.job import ERROR_FILE, RenderJob
job_file, parent, worker = sys.argv[3], int(sys.argv[4]), sys.argv[6]
folder = Path(job_file).parent
if worker == "1":
    watch_parent(RenderJob.from_json(Path(job_file).read_text()), parent)
    (folder / "ready").touch()
    time.sleep(60)
    sys.exit(0)
while not (folder / "ready").exists():
    time.sleep(0.05)
(folder / ERROR_FILE).write_text("ValueError: what worker 0 met")
sys.exit(1)
"""


def test_the_cli_says_why_a_worker_failed_though_stopping_the_others_removes_the_folder(tmp_path, monkeypatch):
    """One worker fails while another renders: the CLI stops the other (which removes the job's folder, as it
    must when the CLI is gone) and still reports the line the failed worker left there."""
    from cli.errors import OutputError
    from cli.process import render
    from scenes.job import RenderJob

    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c '{FAILING_WORKERS}' \"$@\"\n")
    fake.chmod(0o755)
    folder = tmp_path / "job"
    folder.mkdir()
    monkeypatch.setattr(sys, "executable", str(fake))
    started = time.monotonic()
    with pytest.raises(OutputError, match=r"^rendering failed: ValueError: what worker 0 met$"):
        render(RenderJob((), str(folder), quiet=True), jobs=2)
    assert time.monotonic() - started < LIMIT_S
    assert not folder.exists(), "the stopped worker removes the folder"


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_signal_while_rendering(signum, code, word, tmp_path):
    process, work, tmp = _start(tmp_path, RENDER)
    _wait_for(lambda: any(p.name.endswith(".mp4") for p in tmp.rglob("*")), process)  # frames are being written
    process.send_signal(signum)
    _assert_clean_end(process, work, tmp, code, word)


def test_signal_while_computing(tmp_path):
    everyone = "gd,sgd,momentum,nesterov,adagrad,adadelta,rmsprop,adam,adamw,nadam,amsgrad,adabelief,lion"
    process, work, tmp = _start(tmp_path, ("--optimizer", everyone, "--steps", "100000", "--no-render",
                                           "--trajectory-out", "t.npz", "-q"))
    time.sleep(2.0)  # imports done, compiling or computing (13 optimizers × 100,000 steps take far longer)
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    _assert_clean_end(process, work, tmp, 143, "terminated")


def test_render_process_killed(tmp_path):
    """The render process dies as the OOM killer would end it: the CLI says so in one line and tidies up."""
    process, work, tmp = _start(tmp_path, RENDER)
    _wait_for(lambda: any(p.name.endswith(".mp4") for p in tmp.rglob("*")), process)
    for child in _children(process.pid):
        os.kill(child, signal.SIGKILL)
    _assert_clean_end(process, work, tmp, 1, "SIGKILL")


def test_config_switch_undone_on_the_command_line(tmp_path):
    """`no-render = true` in a config file, undone by --render: the run renders (here, a still)."""
    (tmp_path / "c.toml").write_text('no-render = true\nquiet = true\ntrajectory-out = "t.csv"\n')
    done = subprocess.run([sys.executable, str(ROOT / "render.py"), "--config", "c.toml", "--render",
                           "--no-quiet", "--steps", "3", "--quality", "low", "-o", "x.png"], cwd=tmp_path,
                          capture_output=True, timeout=LIMIT_S)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.png").exists() and (tmp_path / "t.csv").exists()
    assert b"wrote x.png" in done.stdout  # --no-quiet undid the file's quiet = true


def test_terminal_without_unicode_gets_ascii(tmp_path):
    """Under a C locale `list` shows its en dashes and superscripts in ASCII rather than failing."""
    env = _environment(tmp_path, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"})
    done = subprocess.run([sys.executable, str(ROOT / "render.py"), "list"], env=env, capture_output=True,
                          timeout=LIMIT_S)
    assert done.returncode == 0 and done.stderr == b""
    text = done.stdout.decode("ascii")  # every byte is ASCII
    assert "f = x^2 - y^2\n" in text and "e^(-2(x^2 + y^2))" in text, text[:400]


def test_readme_lists_the_limits():
    """The README's table of limits is the one every subcommand uses, row for row."""
    from landscapes.limits import limits_table

    assert limits_table() in (ROOT / "README.md").read_text()
