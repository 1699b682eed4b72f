"""The Reports page in a real headless Chromium: log in, open Reports, pick a period, read the
table and an accessible chart (no JavaScript on the page)."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from store import events
from tests.conftest import OPEN_MONDAY
from tests.staff import PASSWORD, served_app
from tests.staff.test_staff_browser import wait_for


@pytest.fixture
def served(settings):
    """The app on a real local port at Monday 23 November 2026, 11am, with counts in two months."""
    with served_app(settings, OPEN_MONDAY) as (base, app):
        svc = app.extensions["helpline"]
        redis, cfg = svc.connections.redis, svc.settings
        for _ in range(3):
            events.write_now(redis, cfg, dt.datetime(2026, 11, 23, 11), "contact:call:in", "route:exclusion")
        events.write_now(redis, cfg, dt.datetime(2026, 11, 22, 20), "contact:text:out")
        events.write_now(redis, cfg, dt.datetime(2026, 10, 5, 11), "contact:call:in", "callback:wait:1")
        yield base


def test_an_adviser_opens_reports_picks_a_month_and_reads_the_table_and_chart(browser, served, tmp_path):
    browser.get(served + "/staff/login")
    browser.find_element(By.ID, browser.find_element(By.XPATH, "//label[normalize-space()='Name']")
                         .get_attribute("for")).send_keys("sam")
    password = browser.find_element(By.ID, browser.find_element(By.XPATH, "//label[normalize-space()='Password']")
                                    .get_attribute("for"))
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    wait_for(browser, (By.TAG_NAME, "h1"))

    browser.find_element(By.LINK_TEXT, "Reports").click()
    assert wait_for(browser, (By.TAG_NAME, "h1")).text == "Reports"
    assert "Academic year 2026/27: Tuesday 1 September 2026 to Tuesday 31 August 2027." in browser.page_source
    assert browser.find_element(By.LINK_TEXT, "Reports").get_attribute("aria-current") == "page"
    assert not browser.find_elements(By.TAG_NAME, "script")

    # Pick a month by the form's labels, as a keyboard or screen-reader user would.
    kind = browser.find_element(By.ID, browser.find_element(By.XPATH, "//label[normalize-space()='Kind of period']")
                                .get_attribute("for"))
    Select(kind).select_by_visible_text("Month")
    browser.find_element(By.XPATH, "//button[normalize-space()='Show report']").click()
    wait_for(browser, (By.TAG_NAME, "h1"))
    assert "November 2026: Sunday 1 November 2026 to Monday 30 November 2026." in browser.page_source
    which = Select(browser.find_element(By.ID, "which"))
    assert which.first_selected_option.text == "November 2026"
    which.select_by_visible_text("October 2026")
    browser.find_element(By.XPATH, "//button[normalize-space()='Show report']").click()
    wait_for(browser, (By.TAG_NAME, "h1"))
    assert "October 2026: Thursday 1 October 2026 to Saturday 31 October 2026." in browser.page_source
    browser.find_element(By.PARTIAL_LINK_TEXT, "Next: November 2026").click()
    wait_for(browser, (By.TAG_NAME, "h1"))

    # The table: a caption, headed columns, the figures.
    table = browser.find_element(By.CSS_SELECTOR, "table[data-section='contacts']")
    assert table.find_element(By.TAG_NAME, "caption").text == "Calls and texts, November 2026"
    row = table.find_element(By.XPATH, ".//tr[th[normalize-space()='Calls in helpline hours']]")
    assert row.find_elements(By.TAG_NAME, "td")[0].text == "3"
    share = table.find_element(By.XPATH, ".//tr[th[normalize-space()='Contacts out of hours (share)']]")
    assert share.find_elements(By.TAG_NAME, "td")[0].text == "25%"

    # The chart: an image with a name and a description a screen reader reads, a table beside it.
    chart = browser.find_element(By.ID, "chart-contacts")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-label") == "Contacts by week, in and out of helpline hours"
    desc = browser.find_element(By.ID, chart.get_attribute("aria-describedby"))
    assert "16 to 22 Nov: 1 (0 in hours, 1 out of hours); 23 to 29 Nov: 3 (3 in hours, 0 out of hours)" in \
        desc.get_attribute("textContent")
    assert chart.size["width"] > 200 and chart.size["height"] > 50  # drawn, not hidden
    beside = chart.find_element(By.XPATH, "ancestor::figure//table")
    assert beside.find_element(By.TAG_NAME, "caption").text.startswith("Contacts by week")
    looked = browser.find_element(By.ID, "chart-looked-for")
    assert "3" in browser.find_element(By.ID, looked.get_attribute("aria-describedby")).get_attribute("textContent")
    browser.save_screenshot(str(tmp_path / "reports.png"))

    csv_link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download these figures")
    assert csv_link.get_attribute("href").endswith("/staff/reports.csv?period=month&which=2026-11")
