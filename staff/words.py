"""How the staff pages name the states of callback requests and safety concerns (one place, so the
queue, a request's page, a concern's page and the other contacts of a number say the same)."""

OUTCOME_WORDS = {
    "reached": "Reached the parent",
    "no_answer": "No answer",
    "left_voicemail": "Left a voicemail",
    "wrong_number": "Wrong number",
    "resolved_by_text": "Resolved by text",
}
STATUS_WORDS = {"open": "Waiting", "claimed": "Claimed", "done": "Done", "closed": "Closed"}
CONCERN_STATUS_WORDS = {"open": "Waiting for an adviser", "claimed": "Claimed", "done": "Closed"}
