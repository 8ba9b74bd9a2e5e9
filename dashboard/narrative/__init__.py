"""Plain-English summaries generated from the published figures: one module per page, pure
functions only, so every sentence says exactly what its chart shows."""
