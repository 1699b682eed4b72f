"""The Calendar page in a real headless Chromium: an adviser closes a day; calls that day hear the line is
closed; a callback booked on it moves to the next open day with room and its parent is texted (outbox)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import create_app
from clock import SIMULATED_NOW_HEADER, fixed_clock
from commands.simulator import serve
from store import callbacks
from tests.conftest import OPEN_MONDAY, TEST_TOKEN, sign
from tests.staff import PASSWORD, add_adviser, store_of
from tests.staff.test_staff_browser import wait_for
from tests.workers.support import run_worker, worker_env


@pytest.fixture
def served(settings):
    """The app on a real local port, Monday 23 November 2026 at 11am, one callback a day: four parents
    booked Monday to Thursday."""
    apps = []
    changed = settings.with_changes(callbacks_per_day=1)

    def factory(base):
        apps.append(create_app(changed.with_changes(public_base_url=base), clock=fixed_clock(OPEN_MONDAY)))
        return apps[-1]

    with serve(factory) as base:
        app = apps[0]
        add_adviser(app, "sam")
        redis, cfg, calendar = store_of(app)
        ids = [callbacks.save_request(redis, cfg, calendar, phone=f"07700 90030{n}", topic="general", channel="sms",
                                      source_sid=f"SM{n}", now=OPEN_MONDAY, text_ok=True).id for n in range(4)]
        assert callbacks.get(redis, cfg, ids[3])["expected_on"] == "2026-11-26"
        yield base, app, ids[3]


def type_date(field, day: dt.date) -> None:
    """Type a date into a date field as a keyboard user would, in the browser's own order."""
    order = field.parent.execute_script("return new Intl.DateTimeFormat().formatToParts(new Date(2001, 1, 3))"
                                        ".filter(p => p.type !== 'literal').map(p => p.type)")
    values = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": f"{day.year}"}
    field.send_keys(*[values[part] for part in order])


def call_at(base: str, at: dt.datetime) -> str:
    """A signed incoming call to the served app at a simulated moment; returns the TwiML."""
    params = {"CallSid": "CA" + "c" * 32, "AccountSid": "AC" + "0" * 32, "From": "+447700900999",
              "To": "+447700900000", "CallStatus": "in-progress", "Direction": "inbound"}
    url = base + "/ivr/incoming"
    response = requests.post(url, data=params, timeout=10, headers={
        "X-Twilio-Signature": sign(url, params, TEST_TOKEN), SIMULATED_NOW_HEADER: at.isoformat()})
    assert response.status_code == 200
    return response.text


def test_an_adviser_closes_a_day_and_calls_callbacks_and_texts_follow(browser, served, settings, tmp_path):
    base, app, thursday_request = served
    assert "The helpline is closed today" not in call_at(base, dt.datetime(2026, 11, 26, 11, 0))

    browser.get(base + "/staff/calendar")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Calendar"
    thursday_cell = browser.find_element(By.CSS_SELECTOR, "td[title^='Thursday 26 November 2026']")
    assert thursday_cell.get_attribute("data-kind") == "open"

    form = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='add-heading'] form")
    day_label = form.find_element(By.XPATH, ".//label[normalize-space()='Day']")
    type_date(browser.find_element(By.ID, day_label.get_attribute("for")), dt.date(2026, 11, 26))
    assert browser.find_element(By.ID, "closure-day").get_attribute("value") == "2026-11-26"
    browser.find_element(By.ID, "closure-reason").send_keys("staff training")
    form.find_element(By.XPATH, ".//button[normalize-space()='Add the closure day']").click()

    banner = wait_for(browser, (By.CSS_SELECTOR, ".banner-success"))
    assert "Done: closed Thursday 26 November 2026 all day, for staff training." in banner.text
    assert "1 callback booked that day will move to the next open day with room" in banner.text
    thursday_cell = browser.find_element(By.CSS_SELECTOR, "td[title^='Thursday 26 November 2026']")
    assert thursday_cell.get_attribute("data-kind") == "extra_closure"
    audit = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='audit-heading']")
    assert "sam" in audit.text and "closed Thursday 26 November 2026 all day, for staff training" in audit.text
    browser.save_screenshot(str(tmp_path / "calendar.png"))

    # A parent who rings that Thursday hears the line is closed, and why.
    said = call_at(base, dt.datetime(2026, 11, 26, 11, 0))
    assert "The helpline is closed today, for staff training." in said

    # The worker moves the Thursday callback to Monday 30 November and texts the parent.
    run_worker({**worker_env(settings, now=OPEN_MONDAY), "CALLBACKS_PER_DAY": "1"})
    redis, cfg, _ = store_of(app)
    assert callbacks.get(redis, cfg, thursday_request)["expected_on"] == "2026-11-30"
    browser.find_element(By.LINK_TEXT, "Outbox").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Outbox: NOT SENT"
    assert ("SEND Partnership Service: sorry, the helpline is now closed on Thursday 26 November 2026. We will call "
            "you on Monday 30 November 2026 instead, between 10am and 3pm") in browser.page_source
