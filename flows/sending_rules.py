"""The rules every outbound text and call must pass, checked in one place before each send.

Pure: no flask, twilio, redis or rq. A worker asks `check_sms` / `check_call` for a
`Decision` and then acts on it (send now, re-enqueue for `hold_until`, or drop and record
the refusal). The senders in workers/senders.py never check rules themselves: one place.

Rules for texts, in the order they are checked (the first that fails is the reason given):
  1. `to` is UK E.164: "+44" then 10 digits (call flows.phone.normalise_uk_number first).
  2. the parent has not opted out (texted STOP).
  3. texts go only to UK mobiles (07xxx, but not 070 personal numbers or 076 pagers).
  4. the body is not empty, is plain GSM-7 (no curly quotes or emoji: those switch the
     whole text to UCS-2 and can come out as boxes on older phones), and fits in
     3 segments (459 GSM-7 characters; ^ { } [ ] ~ | € and backslash count as 2, and an
     extension pair is never split across segments). GSM-7 counting is flows/gsm7.py.
  5. night rule: a text that is NOT an immediate reply to something the parent just sent
     waits for the daytime window (09:00-19:00 London time by default), so reminders and
     confirmations never buzz a phone at night. Replies are sent at once: the parent is
     holding the phone and waiting.

Rules for calls (`check_call`): UK E.164 only, landlines fine, never premium-rate (09),
personal-numbering (070) or pager (076) numbers. No night window: calls are placed only
by a member of staff working the callback queue in helpline hours, and that person is the
judge. No opt-out either: STOP opts out of texts; a callback is something the parent asked for.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows import gsm7
from flows.phone import is_uk_e164, is_uk_mobile

DEFAULT_WINDOW = (dt.time(9), dt.time(19))
DEFAULT_TZ = "Europe/London"
MAX_SEGMENTS = 3

# Premium rate (09), personal numbering (070) and pagers (076, except 07624 mobiles).
_NO_CALL = re.compile(r"\+44(?:9|70|76(?!24))")


class Action(enum.Enum):
    SEND = "send"
    HOLD = "hold"
    REFUSE = "refuse"


class Refusal:
    """Reason codes: short, stable strings for logs, metrics and the staff page."""

    NOT_UK_NUMBER = "not_uk_number"
    NOT_MOBILE = "not_mobile"
    OPTED_OUT = "opted_out"
    EMPTY_BODY = "empty_body"
    NOT_GSM7 = "not_gsm7"
    TOO_LONG = "too_long"
    BARRED_NUMBER = "barred_number"


@dataclass(frozen=True)
class Decision:
    """What to do with one outbound text or call.

    action is SEND (now), HOLD (until `hold_until`, an aware datetime in the window's
    time zone) or REFUSE (`code` from Refusal and a plain `reason` for people).
    """

    action: Action
    hold_until: dt.datetime | None = None
    code: str | None = None
    reason: str | None = None

    @classmethod
    def send(cls) -> Decision:
        return cls(Action.SEND)

    @classmethod
    def hold(cls, until: dt.datetime) -> Decision:
        return cls(Action.HOLD, hold_until=until)

    @classmethod
    def refuse(cls, code: str, reason: str) -> Decision:
        return cls(Action.REFUSE, code=code, reason=reason)

    @property
    def send_now(self) -> bool:
        return self.action is Action.SEND


# --- the checks ----------------------------------------------------------------------


def check_sms(
    to: str,
    body: str,
    *,
    opted_out: bool,
    now: dt.datetime,
    immediate_reply: bool,
    window: tuple[dt.time, dt.time] = DEFAULT_WINDOW,
    tz: str = DEFAULT_TZ,
) -> Decision:
    """May this text go to `to` now? SEND, HOLD until the next window start, or REFUSE.

    `now` must be timezone-aware. `window` is (start, end), end exclusive, in `tz`.
    Refusals come before holds: nothing is held that would be refused later.
    """
    if not is_uk_e164(to):
        return Decision.refuse(
            Refusal.NOT_UK_NUMBER, "The number is not a UK phone number in +44 format."
        )
    if opted_out:
        return Decision.refuse(
            Refusal.OPTED_OUT, "The parent has asked us not to text them (they sent STOP)."
        )
    if not is_uk_mobile(to):
        return Decision.refuse(
            Refusal.NOT_MOBILE, "Texts can only go to UK mobile numbers (07...)."
        )
    if not body or not body.strip():
        return Decision.refuse(Refusal.EMPTY_BODY, "The text is empty.")
    bad = gsm7.first_non_gsm7(body)
    if bad is not None:
        return Decision.refuse(
            Refusal.NOT_GSM7,
            f"The text has a character phones may not show ({gsm7.describe_char(bad)}); "
            "use plain letters and straight quotes (gsm7.to_gsm7 can fix most).",
        )
    if gsm7.segment_count(body) > MAX_SEGMENTS:
        return Decision.refuse(
            Refusal.TOO_LONG,
            f"The text is {gsm7.gsm7_length(body)} characters long (extension characters "
            f"count 2); the most is {MAX_SEGMENTS * gsm7.PART_GSM7} ({MAX_SEGMENTS} texts).",
        )
    if immediate_reply:
        return Decision.send()
    next_start = next_window_start(now, window=window, tz=tz)
    return Decision.send() if next_start is None else Decision.hold(next_start)


def check_call(to: str) -> Decision:
    """May a call be placed to `to`? SEND or REFUSE (never HOLD: see the module docstring)."""
    if not is_uk_e164(to):
        return Decision.refuse(
            Refusal.NOT_UK_NUMBER, "The number is not a UK phone number in +44 format."
        )
    if _NO_CALL.match(to):
        return Decision.refuse(
            Refusal.BARRED_NUMBER,
            "We do not call premium-rate (09), personal (070) or pager (076) numbers.",
        )
    return Decision.send()


def next_window_start(
    now: dt.datetime,
    *,
    window: tuple[dt.time, dt.time] = DEFAULT_WINDOW,
    tz: str = DEFAULT_TZ,
) -> dt.datetime | None:
    """None if `now` is inside the daytime window, else when the next window opens.

    Worked in local wall-clock time (zoneinfo), so across the March and October clock
    changes the window still opens at 09:00 on the clock, not 09:00 GMT. The result is an
    aware datetime in `tz`.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    start, end = window
    if not start < end:
        raise ValueError(f"window start {start} must be before its end {end}")
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(day, start, tzinfo=zone)
    # Round-trip through UTC so a start time that falls in a spring-forward gap becomes
    # a real instant (01:30 -> 02:30 BST) rather than a wall time that never happens.
    return opening.astimezone(dt.timezone.utc).astimezone(zone)
