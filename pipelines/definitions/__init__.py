"""What things are, as pure data: the only pipeline code the dashboard may import.

`reference` (§7 areas, prisons, recommendations), `registry` (the KPIs and the definition
choices) and `contracts` (each extract's columns and rules). Nothing here reads files or a
database, and nothing here imports the rest of `pipelines`.
"""
