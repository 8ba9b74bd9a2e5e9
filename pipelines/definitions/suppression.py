"""The disclosure rule's thresholds (DESIGN §6), as pure data, beside the notes that
`pipelines.definitions.published` owns.

pipelines.disclosure applies them; the Data and definitions page states them from here, so the
words cannot drift from the rule.
"""

from pipelines.definitions.published import SECONDARY_NOTE, SUPPRESSION_NOTE

__all__ = ["SECONDARY_NOTE", "SMALL_MAX", "SMALL_MIN", "SUPPRESSION_NOTE"]

SMALL_MIN = 1
SMALL_MAX = 4
