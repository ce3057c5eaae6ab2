"""The report's content, built once from a `ReportData` as plain blocks that the PDF and Word renderers lay out."""
