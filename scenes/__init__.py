"""ManimGL scenes that read a Run (NumPy only, never JAX): the race, its views, and the explainer chapters."""
