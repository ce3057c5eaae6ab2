"""The engagement file: its schema, how it is opened, and how it is migrated."""
