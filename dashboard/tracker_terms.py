"""The recommendation tracker's terms: implementation statuses, RAG ratings, how the EbE
group's view compares with partners', and the words for missing entries. Pure data, below the
charts that draw them and the tracker model that uses them.
"""

FROM_EXTRACT = "Partner extract"
FROM_APP = "Recorded in this app"
NO_UPDATE = "No update recorded"
NO_REVIEW = "No EbE review yet"
STATUSES: tuple[str, ...] = ("not_started", "planning", "in_progress", "implemented", "embedded")
STATUS_TITLES: dict[str, str] = {
    "not_started": "Not started",
    "planning": "Planning",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "embedded": "Embedded",
}
RAG_TITLES: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}


# Partners' RAG and the EbE group's rating on one three-step scale, so the two can be compared.
VIEWS: tuple[str, ...] = ("Not going well", "Mixed", "Going well")
RAG_VIEW = {"red": 0, "amber": 1, "green": 2}
AGREE, PARTLY, DISAGREE, CANNOT = "Agree", "Partly agree", "Disagree", "Cannot compare"
