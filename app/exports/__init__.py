"""The draft report (PDF) and the workpapers (Excel), built from the services' own queries."""
