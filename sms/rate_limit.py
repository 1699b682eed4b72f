"""What a text gets when its number is over the rate limit: safety and opt-outs first, then quiet.

Pure, like the dialogue: the view counts texts (store/conversations.py) and calls over_limit()
only when this text is over SMS_LIMIT_PER_WINDOW. The first text over gets one polite reply;
after that a text gets no reply at all, unless it has risk words (the emergency numbers are
always sent) or is STOP/START (opt-outs are the law, so they are always recorded).
"""

from __future__ import annotations

from flows import safety
from flows.guidance import normalise_keyword
from flows.gsm7 import to_gsm7
from sms.dialogue import START_WORDS, STOP_WORDS, Ctx, Inbound, Turn, handle
from flows.conversations.effects import OptIn


def over_limit(ctx: Ctx, inbound: Inbound, state: dict, *, first_over: bool) -> Turn | None:
    """The turn for a text over the limit, or None for silence (nothing to send, keep or do)."""
    word = normalise_keyword(inbound.text)
    if word in STOP_WORDS or word in START_WORDS - {"YES"}:
        return handle(ctx, inbound, state)  # Twilio confirms these itself, so no "please wait" either
    if safety.detect_risk(inbound.text):
        turn = handle(ctx, inbound, state)
    else:
        # YES opts back in at Twilio too, so record that, but do not answer it as a menu choice
        turn = Turn([], state, [OptIn()] if word == "YES" else [])
    if first_over:
        turn.replies.append(to_gsm7(ctx.copy.text("sms.slow_down")))
    return turn if turn.replies or turn.effects else None
