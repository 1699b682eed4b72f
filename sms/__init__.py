"""SMS channel: Twilio's message webhooks in, TwiML replies out (keywords and conversations).

blueprint.py makes `bp`; importing the package adds the views to it.
"""

from sms import status, views  # noqa: F401  (they add their views to bp)
from sms.blueprint import bp

__all__ = ["bp"]
