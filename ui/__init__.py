"""Fieldwork's Qt interface. It calls `app` services through background operations and never runs SQL."""
