"""Optimizers built on optax, the jitted trajectory engine, and the Run contract.

Import the submodules (`optimizers.registry`, `optimizers.engine`, `optimizers.run`): `optimizers.run` is
NumPy-only, so scenes can read a Run without importing JAX.
"""
