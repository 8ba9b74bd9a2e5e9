"""Exports: the board pack (PDF and HTML) and the Excel workbook, built from the published
tables through dashboard.data, so disclosure control holds in every file."""
