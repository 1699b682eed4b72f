"""The request page in a real headless Chromium: an adviser claims a parent, moves the call back to another
day (a real worker texts the parent: the outbox shows it), and follows the links to the same number's earlier
request and safety concern. Never the number in a URL."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from store import callbacks, safety
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, served_app, store_of
from tests.staff.test_staff_browser import wait_for
from tests.workers.support import run_worker, worker_env


@pytest.fixture
def served(settings):
    """The app on a real local port at Monday 23 November 2026, 11am. One parent (07700 900123) asked for
    a call back a week ago (done), raised a safety concern on Friday, and asked again this morning."""
    with served_app(settings, OPEN_MONDAY) as (base, app):
        redis, cfg, calendar = store_of(app)
        week_ago = dt.datetime(2026, 11, 16, 11, 0)
        earlier = callbacks.save_request(redis, cfg, calendar, phone="07700 900123", topic="appeal", channel="voice",
                                         source_sid="CA" + "e" * 32, now=week_ago)
        callbacks.claim_next(redis, cfg, "alex", week_ago)
        callbacks.record_outcome(redis, cfg, calendar, earlier.id, staff_name="alex", outcome="reached",
                                 note="Explained the appeal", now=week_ago)
        concern_id, _ = safety.raise_concern(redis, cfg, phone="+447700900123", channel="sms", category="child_harm",
                                             label="Child harmed or at risk", rank=2, words="he hurt my son",
                                             at=dt.datetime(2026, 11, 20, 18, 0))
        today = callbacks.save_request(redis, cfg, calendar, phone="07700 900123", topic="general", channel="voice",
                                       source_sid="CA" + "a" * 32, now=dt.datetime(2026, 11, 23, 9, 0),
                                       text_ok=True, part_of_day="morning")
        yield base, app, {"earlier": earlier.id, "concern": concern_id, "today": today.id}


def test_an_adviser_moves_a_call_back_and_follows_the_numbers_other_contacts(browser, served, settings, tmp_path):
    base, app, ids = served
    browser.get(base + "/staff/")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Callback queue"
    browser.find_element(By.XPATH, "//button[normalize-space()='Claim next']").click()
    assert wait_for(browser, (By.CSS_SELECTOR, ".phone a[href^='tel:']")).text == "07700 900123"
    request_url = browser.current_url
    assert request_url.endswith(f"/staff/requests/{ids['today']}")

    # Move it to Wednesday, chosen by its label as a keyboard or screen-reader user would find it.
    move = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='move-heading']")
    assert move.find_element(By.TAG_NAME, "h2").text == "Move to another day"
    label = move.find_element(By.XPATH, ".//label[starts-with(normalize-space(), 'New day')]")
    days = Select(browser.find_element(By.ID, label.get_attribute("for")))
    per_day = settings.callbacks_per_day
    assert days.options[0].text == f"Tuesday 24 November 2026 (0 of {per_day} booked)"
    days.select_by_visible_text(f"Wednesday 25 November 2026 (0 of {per_day} booked)")
    move.find_element(By.XPATH, ".//button[normalize-space()='Move the request']").click()

    banner = wait_for(browser, (By.CSS_SELECTOR, ".banner-success"))
    assert banner.text == ("Moved to Wednesday 25 November 2026 (from Monday 23 November 2026). "
                           "The parent will get a text with the new day.")
    details = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='details-heading']")
    assert "Booked for\nWednesday 25 November 2026" in details.text
    history = browser.find_element(By.CSS_SELECTOR, ".history")
    assert "sam: moved from Monday 23 November 2026 to Wednesday 25 November 2026" in history.text
    assert "system: text about the new day queued" in history.text
    browser.save_screenshot(str(tmp_path / "moved.png"))

    # A real worker sends the text: here, to the outbox.
    run_worker(worker_env(settings, now=OPEN_MONDAY))
    browser.find_element(By.LINK_TEXT, "Outbox").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Outbox: NOT SENT"
    assert ("SEND Partnership Service: an adviser has moved your call back to Wednesday 25 November 2026, "
            f"between 10am and 12 noon, from {settings.helpline_number}.") in browser.page_source

    # The same number's other contacts, newest first, each a link by id.
    browser.get(request_url)
    linked = wait_for(browser, (By.CSS_SELECTOR, "section[aria-labelledby='linked-heading']"))
    assert linked.find_element(By.TAG_NAME, "h2").text == "Other contacts from this number"
    browser.execute_script("arguments[0].scrollIntoView()", linked)
    browser.save_screenshot(str(tmp_path / "linked.png"))
    items = linked.find_elements(By.CSS_SELECTOR, "li[data-linked]")
    assert [i.get_attribute("data-linked") for i in items] == [f"concern-{ids['concern']}",
                                                                f"request-{ids['earlier']}"]
    assert items[0].text == ("⚠ Safety concern: Child harmed or at risk · Friday 20 November 2026, 18:00 · "
                             "Waiting for an adviser")
    assert items[1].text == "Call back request: Appeals to the Tribunal · Monday 16 November 2026, 11:00 · " \
                            "Done: Reached the parent"
    items[0].find_element(By.LINK_TEXT, "Child harmed or at risk").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text.endswith("Safety concern: Child harmed or at risk")
    assert "he hurt my son" in browser.page_source
    browser.back()
    linked = wait_for(browser, (By.CSS_SELECTOR, "section[aria-labelledby='linked-heading']"))
    linked.find_element(By.LINK_TEXT, "Appeals to the Tribunal").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Appeals to the Tribunal"
    assert "alex: outcome: reached (Explained the appeal)" in browser.find_element(By.CSS_SELECTOR, ".history").text
    linked = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='linked-heading']")
    assert f"request-{ids['today']}" in linked.get_attribute("innerHTML")  # and back again
    assert "900123" not in browser.current_url
    redis, cfg, _ = store_of(app)
    assert callbacks.get(redis, cfg, ids["today"])["expected_on"] == "2026-11-25"
