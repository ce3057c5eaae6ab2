"""The workpapers workbook, in small parts: cell text rules, tables, the streaming writer, and one module per group
of sheets. `app.exports.workbook.write_workbook` puts them together."""
