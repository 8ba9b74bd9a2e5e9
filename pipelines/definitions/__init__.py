"""What things are, as pure data: the only pipeline code the dashboard may import.

`reference` (§7 areas, prisons, recommendations), `registry` (the KPIs and the definition
choices), `contracts` (each extract's columns and rules), `published` (the warehouse's promise
to readers: kpi_values' columns and tokens, the notes on hidden figures) and `periods` (period
labels made, parsed and bounded). Nothing here reads files or a database, and nothing here
imports the rest of `pipelines`.
"""
