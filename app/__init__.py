"""Fieldwork's domain, storage, services and exports. Nothing here imports Qt."""

__version__ = "0.1.0"
APP_NAME = "Fieldwork"
