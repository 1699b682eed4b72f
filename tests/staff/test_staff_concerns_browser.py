"""A safety concern from a real signed text, worked by an adviser in the real headless Chromium."""

from __future__ import annotations

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import HELPLINE_SMS_NUMBER, sign
from tests.staff import PASSWORD
from tests.staff.test_staff_browser import served, wait_for  # noqa: F401  (the served fixture)

WORDS = "my daughter hasnt come home and isnt answering her phone"


def text_in(base: str, body: str, sid: str) -> requests.Response:
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+447700900777",
              "To": HELPLINE_SMS_NUMBER, "Body": body, "NumMedia": "0"}
    url = base + "/sms/incoming"
    return requests.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)


def test_an_adviser_claims_a_safety_concern_sees_the_number_and_records_a_referral(browser, served, tmp_path):
    reply = text_in(served, WORDS, "SM" + "7" * 32)
    assert reply.status_code == 200 and "999" in reply.text

    browser.get(served + "/staff/login")
    browser.find_element(By.ID, "name").send_keys("sam")
    browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    section = wait_for(browser, (By.CSS_SELECTOR, "section[aria-labelledby='safety-heading']"))
    assert section.find_element(By.TAG_NAME, "h2").text.endswith("Safety concerns (1)")
    assert "Missing child" in section.text and WORDS in section.text and "Safety concern" in section.text
    assert "900777" not in browser.page_source
    # it comes before everything else an adviser can claim
    claim_next = browser.find_element(By.XPATH, "//button[normalize-space()='Claim next']")
    assert section.location["y"] < claim_next.location["y"]
    browser.save_screenshot(str(tmp_path / "concern-queue.png"))

    section.find_element(By.XPATH, ".//button[normalize-space()='Claim this concern']").click()
    tel = wait_for(browser, (By.CSS_SELECTOR, ".phone a[href^='tel:']"))
    assert tel.text == "07700 900777" and "/staff/safety/" in browser.current_url
    assert "Contacting them safely" in browser.page_source
    browser.find_element(By.XPATH, "//label[contains(normalize-space(), \"Referred to children's services\")]").click()
    browser.find_element(By.ID, "outcome-note").send_keys("Duty team told; police called by parent")
    browser.find_element(By.XPATH, "//button[normalize-space()='Save']").click()

    banner = wait_for(browser, (By.CSS_SELECTOR, ".banner-success"))
    assert "Referred to children's services" in banner.text
    assert not browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='safety-heading']")
