"""The draft report as a Word document (python-docx): styles, fields and the rendering of the report's blocks."""
