"""Voice channel: Twilio's call webhooks in, TwiML out (menus rendered from flows).

blueprint.py makes `bp`; importing the package adds the safety check and every view to it.
"""

from ivr import safety
from ivr.blueprint import bp

bp.before_request(safety.check_speech)  # risk words at any prompt come before the view's own answer

from ivr import callback, deadline, menus, views  # noqa: E402,F401  (they add their views to bp)

__all__ = ["bp"]
