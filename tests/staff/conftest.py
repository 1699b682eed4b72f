"""The headless Chromium for the staff page's browser tests (Selenium, the Debian chromedriver).

`make test` installs Chromium and chromedriver from Debian when they are missing. If they still
cannot be found, a browser test FAILS (it is never skipped): the staff page must be proven in a browser.

One Chromium per test process (each pytest-xdist worker has its own), started by the first browser
test: starting it takes about a second of CPU. Each test still begins as a new visitor: no page
open, no cookies (every served app is on 127.0.0.1, and cookies do not keep ports apart) and no
cache, and a Chromium that stopped answering is started again.

Also the logged-in advisers `sam` and `alex` (test clients), on whichever `app` the test module
defines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "chromedriver")
INSTALL_HINT = ("run `make test` (it installs them) or `apt-get update && apt-get install -y chromium "
                "chromium-driver`")


def _find(candidates) -> str | None:
    for name in candidates:
        found = name if Path(name).is_file() else shutil.which(name)
        if found:
            return found
    return None


def start_chromium(profile: Path) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile in `profile`."""
    binary, driver_path = _find(CHROMIUM_CANDIDATES), _find(CHROMEDRIVER_CANDIDATES)
    if binary is None or driver_path is None:
        missing = " and ".join(n for n, p in (("Chromium", binary), ("chromedriver", driver_path)) if p is None)
        pytest.fail(f"{missing} not found: the staff page browser test needs them; {INSTALL_HINT}.")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


class Chromium:
    """The test process's browser, started when first needed and again if it stops answering."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.driver: webdriver.Chrome | None = None

    def fresh(self) -> webdriver.Chrome:
        """The browser as a new visitor sees it: one blank tab, no cookies, nothing cached."""
        if self.driver is not None:
            try:
                self._clear()
            except WebDriverException:
                self.quit()  # crashed or stuck: a new one below
        if self.driver is None:
            self.driver = start_chromium(self.tmp_path_factory.mktemp("chromium-profile"))
            self._clear()
        return self.driver

    def _clear(self) -> None:
        driver = self.driver
        for handle in driver.window_handles[1:]:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(driver.window_handles[0])
        driver.get("about:blank")
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        assert driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"] == []

    def quit(self) -> None:
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
            self.driver = None


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """The test process's Chromium (see the module docstring)."""
    browser = Chromium(tmp_path_factory)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def browser(chromium):
    """Headless Chromium, as a new visitor: no page open, no cookies, no cache."""
    driver = chromium.fresh()
    yield driver
    try:
        driver.get("about:blank")  # leave no page of this test's app open while its server stops
    except WebDriverException:
        chromium.quit()


@pytest.fixture
def sam(app):
    """A test client logged in as the adviser sam, on the module's app."""
    from tests.staff import logged_in

    return logged_in(app, "sam")


@pytest.fixture
def alex(app):
    """A second adviser, alex, logged in on the same app."""
    from tests.staff import logged_in

    return logged_in(app, "alex")
