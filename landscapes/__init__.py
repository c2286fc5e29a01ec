"""Loss surfaces: pure JAX functions of two parameters, their metadata, and user expressions."""

from .registry import DEFAULT_DOMAIN, LANDSCAPES, Domain, Landscape, Minimum, Surface, resolve_surface
from .spec import SpecError, did_you_mean

__all__ = ["DEFAULT_DOMAIN", "LANDSCAPES", "Domain", "Landscape", "Minimum", "SpecError", "Surface",
           "did_you_mean", "resolve_surface"]
