"""Real and synthetic classification data for network landscapes: shipped with scikit-learn or generated here.

Nothing is downloaded: `load_digits` and `load_breast_cancer` read files inside the scikit-learn package, and
the moons are generated from a fixed seed. Every split is fixed, so a landscape is the same on every machine.
"""

import functools
from dataclasses import dataclass

import numpy as np

SPLIT_SEED = 0
HELD_OUT = 0.2  # share of the examples kept for test accuracy
MOONS = 400  # examples in the two-moons set
MOONS_NOISE = 0.25  # enough overlap that no boundary is perfect: a rugged landscape


@dataclass(frozen=True)
class Split:
    """Standardized features and integer labels, training and held-out (NumPy, float64 / int32)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def _split(name: str, x: np.ndarray, y: np.ndarray) -> Split:
    """A seeded, stratified split; features standardized with the training set's mean and deviation."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=HELD_OUT, random_state=SPLIT_SEED,
                                                        stratify=y)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # the digits' blank corner pixels are constant
    scale = lambda a: ((a - mean) / std).astype(np.float64)  # noqa: E731
    return Split(name, scale(x_train), y_train.astype(np.int32), scale(x_test), y_test.astype(np.int32))


@functools.cache
def digits() -> Split:
    """scikit-learn's 1,797 handwritten digits (8×8 images, 10 classes): 1,437 to train on, 360 held out."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return _split("digits", data.data, data.target)


@functools.cache
def moons() -> Split:
    """Two interleaved half-moons in 2-D with Gaussian noise (seed 0): 320 to train on, 80 held out."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=MOONS, noise=MOONS_NOISE, random_state=SPLIT_SEED)
    return _split("moons", x, y)


@functools.cache
def tumours() -> tuple[np.ndarray, np.ndarray]:
    """Breast-cancer Wisconsin (569 tumours): standardized mean radius and mean texture, and y = 1 for benign."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    x = data.data[:, [list(data.feature_names).index("mean radius"), list(data.feature_names).index("mean texture")]]
    return (x - x.mean(axis=0)) / x.std(axis=0), data.target.astype(np.float64)
