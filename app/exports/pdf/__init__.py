"""The draft report as a PDF: fonts, styles, wording templates, page layout and the sections."""
