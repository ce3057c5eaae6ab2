"""The `fieldwork` command: the desktop app, and verbs for scripts and benchmarks."""
