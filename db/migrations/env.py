"""Alembic environment: always runs over the connection Fieldwork passes in."""

from alembic import context

from fieldwork.app.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Fieldwork runs its migrations from code, over an open engagement file.")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
