"""The layout keeps data flowing one way: import-graph rules read from the source, and no work at import time."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bench", "cli", "files", "landscapes", "optimizers", "scenes")
SCENE_FORBIDDEN = {"jax", "jaxlib", "optax", "argparse", "subprocess", "multiprocessing", "render", "cli"}


def project_modules() -> dict[str, Path]:
    """Dotted name -> file, for render.py and every module of the project's packages."""
    modules = {"render": ROOT / "render.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            modules[name] = path
    return modules


MODULES = project_modules()


def imports(name: str) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import statement in a module, relative ones resolved."""
    path = MODULES[name]
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.append((base, [alias.name for alias in node.names]))
    return found


def project_target(module: str, names: list[str]) -> list[str]:
    """The project modules an import reaches: the module itself, or submodules named in `from pkg import sub`."""
    targets = [m for m in (f"{module}.{n}" for n in names) if m in MODULES]
    if module in MODULES and (len(targets) < len(names) or not names):
        targets.append(module)  # something other than a submodule is taken from it
    return targets


def test_the_project_has_the_layout_these_rules_read():
    assert {"render", "cli.race", "scenes.race", "scenes.job", "optimizers.engine", "files.atomic"} <= set(MODULES)


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("scenes")])
def test_scenes_import_no_jax_argparse_process_launching_or_cli(name):
    for module, _ in imports(name):
        assert module.split(".")[0] not in SCENE_FORBIDDEN, f"{name} imports {module}"


@pytest.mark.parametrize("name", [m for m in MODULES if m.split(".")[0] in ("landscapes", "optimizers", "files")])
def test_lower_layers_never_import_the_layers_above(name):
    for module, _ in imports(name):
        assert module.split(".")[0] not in ("cli", "render", "scenes"), f"{name} imports {module}"


def test_no_import_cycles():
    graph = {name: {t for module, names in imports(name) for t in project_target(module, names) if t != name}
             for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in MODULES:
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("name", list(MODULES))
def test_no_private_names_across_modules(name):
    """Neither `from x import _name` nor `module._name` on a project module imported here."""
    tree = ast.parse(MODULES[name].read_text())
    aliases = {}
    for module, names in imports(name):
        for taken in names:
            if module.split(".")[0] in (*PACKAGES, "render"):
                assert not taken.startswith("_"), f"{name} imports {module}.{taken}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in (*PACKAGES, "render"):
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            assert not node.attr.startswith("_") or node.attr.startswith("__"), \
                f"{name} uses {aliases[node.value.id]}.{node.attr}"


def test_importing_does_no_work(tmp_path):
    """Importing the CLI and the engine changes no JAX setting and makes no folder (setup() does, when called)."""
    code = "import render, optimizers.engine, jax; print(jax.config.jax_enable_x64)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JAX_PLATFORMS": "cpu"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert list(tmp_path.iterdir()) == [], "importing made folders in the home directory"


def test_render_job_round_trips_through_json(tmp_path):
    from scenes.job import RenderJob, SceneJob

    job = RenderJob((SceneJob("3d", 854, 480, 15, still=True, run_path="r.npz", show_glyphs=True),
                     SceneJob("chapter", 640, 360, 15, chapter="adam", run_paths={"holes": "h.npz"})),
                    str(tmp_path), label="rendering x", quiet=True)
    assert RenderJob.from_json(job.to_json()) == job
    assert job.movie(1) == tmp_path / "001.mp4" and job.still(0) == tmp_path / "000.png"
