"""Item models: thin Qt adapters over plain rows the services return."""
