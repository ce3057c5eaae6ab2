"""The auditors' vocabulary and the plain records the services return."""
