"""The staff page in a real headless Chromium (Selenium), against the app on a real local port and a real Redis.

`make test` installs Chromium and chromedriver from Debian when they are missing. If they still
cannot be found, this test FAILS (it is never skipped): the staff page must be proven in a browser.
The `browser` fixture is in tests/staff/conftest.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from store import callbacks
from store import outbound as records
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, served_app, store_of
from tests.workers.support import svc_at
from workers.jobs import deliver_with
from workers.outbound import queue_text


@pytest.fixture
def served(settings):
    """The app on a real local port at Monday 11am, with one adviser and two parents waiting."""
    with served_app(settings, OPEN_MONDAY) as (base, app):
        redis, cfg, calendar = store_of(app)
        callbacks.save_request(redis, cfg, calendar, phone="07700 900123", topic="general", channel="voice",
                               source_sid="CA" + "a" * 32, now=dt.datetime(2026, 11, 23, 9, 0),
                               voicemail_ok=True, part_of_day="morning")
        callbacks.save_request(redis, cfg, calendar, phone="07700 900456", topic="general", channel="sms",
                               source_sid="SM" + "b" * 32, now=dt.datetime(2026, 11, 23, 10, 15), text_ok=True)
        yield base


def wait_for(driver, locator, seconds=10):
    return WebDriverWait(driver, seconds).until(EC.visibility_of_element_located(locator))


def test_an_adviser_logs_in_claims_records_an_outcome_and_sees_it_done(browser, served, tmp_path):
    browser.get(served + "/staff/")
    assert "/staff/login" in browser.current_url
    # Fill the form by its labels, as a screen-reader or keyboard user would find it.
    name_label = browser.find_element(By.XPATH, "//label[normalize-space()='Name']")
    browser.find_element(By.ID, name_label.get_attribute("for")).send_keys("sam")
    password_label = browser.find_element(By.XPATH, "//label[normalize-space()='Password']")
    password = browser.find_element(By.ID, password_label.get_attribute("for"))
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)  # submit from the keyboard

    heading = wait_for(browser, (By.TAG_NAME, "h1"))
    assert heading.text == "Callback queue"
    due = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='due-heading']")
    assert due.find_element(By.TAG_NAME, "h2").text == "Due today (2)"
    assert "2 hours ago" in due.text and "Not urgent" in due.text
    assert "900123" not in browser.page_source
    browser.save_screenshot(str(tmp_path / "queue-before.png"))

    browser.find_element(By.XPATH, "//button[normalize-space()='Claim next']").click()
    tel = wait_for(browser, (By.CSS_SELECTOR, ".phone a[href^='tel:']"))
    assert tel.text == "07700 900123"
    assert tel.get_attribute("href") == "tel:+447700900123"
    assert "900123" not in browser.current_url and "/staff/requests/" in browser.current_url

    browser.find_element(By.XPATH, "//label[normalize-space()='Reached the parent']").click()
    assert browser.find_element(By.ID, "outcome-reached").is_selected()  # the label is tied to its radio
    browser.find_element(By.ID, "outcome-note").send_keys("Talked through the EHC needs assessment")
    browser.find_element(By.XPATH, "//button[normalize-space()='Save outcome']").click()

    banner = wait_for(browser, (By.CSS_SELECTOR, ".banner-success"))
    assert "Saved: Reached the parent (done)." in banner.text
    done = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='done-heading']")
    assert done.find_element(By.TAG_NAME, "h2").text == "Done (1)"
    assert "A general question" in done.text and "Reached the parent" in done.text and "Done" in done.text
    due = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='due-heading']")
    assert due.find_element(By.TAG_NAME, "h2").text == "Due today (1)"
    browser.save_screenshot(str(tmp_path / "queue-after.png"))

    # The history, one click away, says who did what and when.
    done.find_element(By.LINK_TEXT, "A general question").click()
    history = wait_for(browser, (By.CSS_SELECTOR, ".history"))
    assert "sam: claimed to call" in history.text
    assert "sam: outcome: reached (Talked through the EHC needs assessment)" in history.text
    assert "Monday 23 November 2026, 11:00" in history.text


def test_the_claim_button_is_reachable_and_visibly_focused_by_keyboard(browser, served):
    browser.get(served + "/staff/login")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_for(browser, (By.TAG_NAME, "h1"))
    body = browser.find_element(By.TAG_NAME, "body")
    claim = browser.find_element(By.XPATH, "//button[normalize-space()='Claim next']")
    for _ in range(12):
        body = browser.switch_to.active_element
        if body == claim:
            break
        body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == claim
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", claim)
    assert outline == "solid"  # a visible focus ring, not the browser's faint default
    claim.send_keys(Keys.ENTER)
    assert wait_for(browser, (By.CSS_SELECTOR, ".phone a")).text == "07700 900123"


def test_an_adviser_sends_again_a_text_whose_fate_was_unknown(browser, served, settings):
    svc = svc_at(settings, OPEN_MONDAY)
    message_id = queue_text(svc, to="07700 900789", body="We will call you on Monday.", purpose="callback_confirmation")
    records.update(svc.connections.redis, svc.settings, message_id, now=svc.clock(), status="sending")
    assert deliver_with(svc, message_id) == "unknown"  # a worker died mid-send

    browser.get(served + "/staff/login")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_for(browser, (By.TAG_NAME, "h1"))
    browser.find_element(By.LINK_TEXT, "1 message did not get through").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Messages that did not get through"
    card = browser.find_element(By.CSS_SELECTOR, f"[data-message='{message_id}']")
    assert "Check with the parent before sending again." in card.text and "+44 7700 900***" in card.text
    send = card.find_element(By.XPATH, ".//button[normalize-space()='Send again']")
    checkbox = card.find_element(By.NAME, "checked_with_parent")
    send.click()  # not ticked: the browser itself holds the form back (no JavaScript needed)
    assert browser.execute_script("return arguments[0].validity.valueMissing", checkbox) is True
    card.find_element(By.XPATH, ".//label[contains(., 'I have checked with the parent')]").click()
    assert checkbox.is_selected()  # the label is tied to its checkbox
    send.click()
    banner = wait_for(browser, (By.CSS_SELECTOR, ".banner-success"))
    assert "Sent again: a new call back confirmation to +44 7700 900*** is on its way." in banner.text
    resent = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='resent-heading']")
    assert "By sam" in resent.text and "Now: Waiting to be sent" in resent.text
    assert "900789" not in browser.page_source and "900789" not in browser.current_url
