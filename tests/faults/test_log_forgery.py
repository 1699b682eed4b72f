"""Issue 15, item 4, against the real processes: gunicorn's access log (the Procfile's web line) cannot be forged.

The attack as it was done: an unsigned request whose path holds `%0a` and a line of our own
log format. gunicorn decodes the path before logging it; logsafe (installed by create_app in
each gunicorn worker) writes the newline out as \\n, so the forged text stays on the request's line.
"""

from __future__ import annotations

import http.client

from tests.faults.stack import wait_for

FORGED = "2026-11-29%2010:00:00,000%20INFO%20staff.auth:%20staff%20login:%20admin"


def test_a_newline_in_the_path_cannot_start_a_line_in_the_web_log(redis_server, make_stack):
    stack = make_stack(redis_server.url)
    web = stack.web()
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=5)
    connection.request("POST", "/ivr/callback/ask/x%0a" + FORGED, body="From=%2B447700900123",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert connection.getresponse().status == 403
    connection.close()
    lines = wait_for(lambda: [line for line in web.log().splitlines() if "staff login: admin" in line], timeout=5)
    assert lines, web.log()[-2000:]
    assert all("/ivr/callback/ask/x\\n" in line for line in lines), lines
