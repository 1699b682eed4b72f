"""What an adviser reads about a parent before calling, in the real headless Chromium: the voice
message as text beside it, the parent's own words, and their contact needs (Relay UK, interpreter)."""

from __future__ import annotations

import datetime as dt

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import create_app
from clock import fixed_clock
from store import callbacks
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, store_of
from tests.staff.test_staff_browser import served, wait_for  # noqa: F401  (the served fixture)

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Recordings/RE" + "4" * 32
CALL = "CA" + "4" * 32


def test_the_adviser_sees_the_voice_message_as_text_the_parents_words_and_how_to_reach_them(browser, served, settings):
    app = create_app(settings, clock=fixed_clock(OPEN_MONDAY))  # the same Redis as the served app
    redis, settings, calendar = store_of(app)
    saved = callbacks.save_request(
        redis, settings, calendar, phone="07700 900888", topic="general", channel="voice", source_sid=CALL,
        now=dt.datetime(2026, 11, 23, 9, 30), contact_by="relay", interpreter="Polish", voicemail_ok=False,
        voice_message_url=RECORDING, problem_words="school want to cut his hours from 25 to 15")
    assert callbacks.add_transcription(redis, settings, CALL, recording_url=RECORDING, status="completed",
                                       text="they have cut his hours and the annual review is next week",
                                       transcription_sid="TR" + "4" * 32, now=dt.datetime(2026, 11, 23, 9, 31))

    browser.get(served + "/staff/login")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait_for(browser, (By.TAG_NAME, "h1"))
    browser.get(served + f"/staff/requests/{saved.id}")
    page = wait_for(browser, (By.TAG_NAME, "main")).text
    assert "they have cut his hours and the annual review is next week" in page
    assert "transcribed automatically" in page
    assert "school want to cut his hours from 25 to 15" in page
    assert "dial 18002 then the number" in page
    assert "Polish" in page
    assert "900888" not in browser.page_source  # not claimed: no number yet

