"""Loss surfaces: pure JAX functions of two parameters, their metadata, and user expressions.

The names below load on first use, so that `landscapes.spec` (the spec syntax and its errors) can be imported
without JAX: a bad flag is reported before the CLI pays for JAX's import.
"""

import importlib

_FROM = {"DEFAULT_DOMAIN": "registry", "LANDSCAPES": "registry", "Domain": "registry", "Landscape": "registry",
         "Minimum": "registry", "Surface": "registry", "resolve_surface": "registry", "SpecError": "spec",
         "did_you_mean": "spec"}
__all__ = sorted(_FROM)


def __getattr__(name: str):
    if name not in _FROM:
        raise AttributeError(f"module 'landscapes' has no attribute '{name}'")
    return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
