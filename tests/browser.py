"""Debian's Chromium, headless, driven by Selenium through Debian's chromium-driver, for the
browser tests. `make test` installs both first (scripts/install_browser.sh); no test tool ever
downloads a browser of its own."""

import os
from pathlib import Path
from typing import Optional

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "browser"


def require_chromium() -> None:
    """Skips on a developer's machine without the browser; fails in CI, where it must run."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        return
    reason = "Debian's chromium and chromium-driver are not installed (make test installs them: scripts/install_browser.sh)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


def chromium(profile_dir: Path, downloads: Optional[Path] = None) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                     f"--user-data-dir={profile_dir}"):
        options.add_argument(argument)
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver
