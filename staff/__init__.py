"""Staff pages: login and the callback queue, under /staff.

auth.py      login, logout, session expiry, CSRF and security headers (every staff request)
views.py     the queue, one request's page (phone number, outcome, notes, call now), the outbox
concerns.py  safety concerns: claim, see the number and the parent's words, record what was done
messages.py  texts and calls that did not get through: what happened, Send again, Dismiss
calendar_views.py  the Calendar page: the year at a glance, closure days, terms, the audit list
reports.py   Reports for managers: figures by year, term, quarter, month, week; charts; CSV
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")

from staff import auth, concerns, messages, views  # noqa: E402,F401  (they add their routes and hooks to bp)
from staff import calendar_views  # noqa: E402,F401  (the Calendar page)
from staff import reports  # noqa: E402,F401  (the Reports page)
