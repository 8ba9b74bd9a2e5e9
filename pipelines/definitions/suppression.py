"""The disclosure rule's thresholds and notes (DESIGN §6), as pure data.

pipelines.disclosure applies them; the Data and definitions page states them from here, so the
words cannot drift from the rule.
"""

SMALL_MIN = 1
SMALL_MAX = 4
SUPPRESSION_NOTE = "Value suppressed for disclosure control due to small count"
SECONDARY_NOTE = (
    "Value suppressed for disclosure control: it could otherwise be worked out from other "
    "published figures"
)
