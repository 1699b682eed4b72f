"""Staff pages: login and the callback queue, under /staff.

auth.py      login, logout, session expiry, CSRF and security headers (every staff request)
views.py     the queue, one request's page (phone number, outcome, notes, call now), the outbox
concerns.py  safety concerns: claim, see the number and the parent's words, record what was done
messages.py  texts and calls that did not get through: what happened, Send again, Dismiss
calendar_views.py  the Calendar page: the year at a glance, closure days, terms, the audit list
reports.py   Reports for managers: figures by year, term, quarter, month, week; charts; CSV
recordings.py  a voice message fetched from Twilio by its recording SID (for the request page)
contacts.py  the other callback requests and safety concerns of a number (request and concern pages)
words.py     how the pages name the states of requests and concerns

blueprint.py makes `bp`; importing the package adds every page and hook to it.
"""

from staff import auth, calendar_views, concerns, messages, reports, views  # noqa: F401  (they add to bp)
from staff.blueprint import bp

__all__ = ["bp"]
