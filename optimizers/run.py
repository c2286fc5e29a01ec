"""The Run: plain NumPy arrays plus typed metadata, the contract between the engine and the scenes.

Also the RunSpec, what a run is asked to compute. NumPy only (never JAX), so the render process can read both.
"""

import json
import os
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from files.atomic import write_atomic


@dataclass(frozen=True)
class RunSpec:
    """Everything the engine needs for one run, by name (the CLI computes it; scenes only read the saved Run)."""

    surface: str
    optimizers: tuple[str, ...]
    starts: tuple[tuple[float, float], ...] = ()  # empty: the surface's own
    steps: int = 150
    noise: float = 0.0
    batch_size: int | None = None
    seed: int = 0
    sweep: tuple[str, tuple[float, ...]] | None = None
    domain: str | None = None  # xmin,xmax,ymin,ymax for expressions (the slice's window for networks)
    projection: str = "pca"  # a network's plane: 'pca' or 'random'


@dataclass(frozen=True)
class MinimumMeta:
    x: float
    y: float
    value: float
    kind: str  # 'global', 'local' or 'saddle'


@dataclass(frozen=True)
class SurfaceMeta:
    """How to draw the surface: names, formula (mathtext), domain, known minima, height and camera hints."""

    name: str
    spec: str
    title: str
    formula: str
    parameters: dict[str, float]
    domain: tuple[float, float, float, float]
    minima: tuple[MinimumMeta, ...]
    z_range: tuple[float, float] | None
    log_height: bool
    camera: tuple[float, float]  # (theta, phi) in degrees
    is_data: bool
    axes: tuple[str, str] = ("x", "y")  # the parameters' names


@dataclass(frozen=True)
class OptimizerMeta:
    """One optimizer as run: its name, colour, resolved hyperparameters and the update rule they give."""

    name: str
    title: str
    color: str
    spec: str
    hyperparameters: dict[str, float | int | bool]
    equation: tuple[str, ...]  # mathtext lines
    reference: str
    test_accuracy: float | None = None  # networks: held-out accuracy at the final parameters
    train_loss: float | None = None  # networks: full training loss at the final parameters
    learning_rates: tuple[float, ...] | None = None  # a scheduled run's η_0 … η_{T−1}


@dataclass(frozen=True)
class ProjectionMeta:
    """How a network's paths were put in 2-D: the plane's method and the share of their variance it holds."""

    method: str  # 'pca' or 'random'
    explained_variance: float  # ‖paths projected‖² / ‖paths‖², paths as θₜ − θ₀
    dimensions: int  # P, the network's parameter count
    train_examples: int
    test_examples: int

    @property
    def statement(self) -> str:
        """What the picture says about its plane, e.g. '2-D slice: PCA of the paths, 91% of their variance'."""
        method = "PCA of the paths" if self.method == "pca" else "two random filter-normalised directions"
        share = self.explained_variance * 100
        return f"2-D slice: {method}, {f'{share:.0f}' if share >= 10 else f'{share:.2g}'}% of their variance"


@dataclass(frozen=True)
class SweepMeta:
    key: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class RunMeta:
    """What was run: surface, optimizers, starts, steps, noise and the library versions that computed it."""

    surface: SurfaceMeta
    optimizers: tuple[OptimizerMeta, ...]
    starts: tuple[tuple[float, float], ...] | None  # None for grids of more than 64 starts (count only)
    num_starts: int
    num_steps: int
    noise: float = 0.0
    batch_size: int | None = None
    seed: int = 0
    sweep: SweepMeta | None = None
    final_only: bool = False
    versions: dict[str, str] = field(default_factory=dict)
    projection: ProjectionMeta | None = None  # networks only

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "RunMeta":
        d = json.loads(text)
        s = d["surface"]
        surface = SurfaceMeta(**{**s, "domain": tuple(s["domain"]), "camera": tuple(s["camera"]), "axes": tuple(s.get("axes", ("x", "y"))),
                                 "minima": tuple(MinimumMeta(**m) for m in s["minima"]),
                                 "z_range": tuple(s["z_range"]) if s["z_range"] else None})
        optimizers = tuple(OptimizerMeta(**{**o, "equation": tuple(o["equation"]),
                                                "learning_rates": tuple(o.get("learning_rates") or ()) or None}) for o in d["optimizers"])
        starts = tuple(tuple(p) for p in d["starts"]) if d["starts"] is not None else None
        sweep = SweepMeta(d["sweep"]["key"], tuple(d["sweep"]["values"])) if d["sweep"] else None
        projection = ProjectionMeta(**d["projection"]) if d.get("projection") else None
        return cls(**{**d, "surface": surface, "optimizers": optimizers, "starts": starts, "sweep": sweep,
                      "projection": projection})


@dataclass(frozen=True)
class Run:
    """Trajectories of O optimizers × S sweep values × K starts over T steps (NumPy only, no JAX).

    Per-step arrays have T entries: entry t is what moved params[t] to params[t + 1].
    """

    meta: RunMeta
    params: np.ndarray  # (O, S, K, T+1, 2); only the last point (T+1 -> 1) in final-only runs
    loss: np.ndarray  # (O, S, K, T+1)
    grad: np.ndarray  # (O, S, K, T, 2) the oracle's gradient at params[t] (noise / minibatch included)
    update: np.ndarray  # (O, S, K, T, 2) params[t+1] − params[t]
    first_moment: np.ndarray  # (O, S, K, T, 2) velocity / first moment after step t, NaN if none
    second_moment: np.ndarray  # (O, S, K, T, 2) accumulator / second moment after step t, NaN if none
    step_size: np.ndarray  # (O, S, K, T, 2) effective per-parameter step size of step t
    diverged_at: np.ndarray  # (O, S, K) first step whose params were non-finite or far out; −1 if never
    grid_x: np.ndarray  # (n,) surface height grid, for drawing without JAX
    grid_y: np.ndarray  # (n,)
    grid_z: np.ndarray  # (n, n), grid_z[j, i] = f(grid_x[i], grid_y[j])

    @property
    def optimizer_names(self) -> list[str]:
        return [o.name for o in self.meta.optimizers]

    @property
    def num_steps(self) -> int:
        return self.meta.num_steps

    def save(self, path: str | os.PathLike) -> None:
        """Write `.npz` atomically (temp file beside the target, then rename)."""
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}
        write_atomic(path, lambda f: np.savez_compressed(f, meta=self.meta.to_json(), **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Run":
        with np.load(path) as data:
            arrays = {f.name: data[f.name] for f in fields(cls) if f.name != "meta"}
            return cls(meta=RunMeta.from_json(str(data["meta"])), **arrays)
