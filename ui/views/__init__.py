"""The pages of the workspace: each shows one kind of item and saves edits as they are made."""
