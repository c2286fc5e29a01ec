"""Everything that runs in the CLI process: options and config, computing runs, launching and watching the
render process, encoding, and atomic outputs. `render.py` is its entry point; ManimGL is never imported here."""
