"""Log lines that cannot be forged: every logged message has its control characters escaped.

A `%0a` in a URL path, a newline in a form field or a carriage return in a header would
otherwise start a new line in the log that looks like one of ours ("... staff login: admin").
install() makes every LogRecord in the process escape its finished message, whichever logger
made it and whichever handler or formatter writes it: ours, rq's, werkzeug's and gunicorn's
access log (the web app is loaded into each gunicorn worker, which writes its access lines
there). "\\n" becomes the two characters \\n, other control characters \\xNN or \\uNNNN.
Tracebacks are added by formatters after this and stay multi-line.
"""

from __future__ import annotations

import logging
import re

# C0 and C1 controls, DEL, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """The text with every control character written out visibly."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), m.group().encode("unicode_escape").decode("ascii")), text)


class _SafeMessage:
    """Mixed into LogRecord classes: getMessage() escapes the formatted message."""

    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return escape(super().getMessage())


_SAFE_CLASSES: dict[type, type] = {}


def _safe_class(cls: type) -> type:
    if issubclass(cls, _SafeMessage):
        return cls
    if cls not in _SAFE_CLASSES:
        _SAFE_CLASSES[cls] = type("Safe" + cls.__name__, (_SafeMessage, cls), {})
    return _SAFE_CLASSES[cls]


def install() -> None:
    """Escape control characters in every log message of this process from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "escapes_control_characters", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.__class__ = _safe_class(type(record))
        return record

    factory.escapes_control_characters = True
    logging.setLogRecordFactory(factory)
