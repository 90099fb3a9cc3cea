"""The staff console in a real browser, beside a client using the website widget, against the
whole stack `make run` starts: a client asks for a person; a member of staff signs in, finds the
conversation by search, reads it, marks a message as misunderstood, replies (the client sees
it in the widget), hands it back, and exports the requests as CSV."""

import csv
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from scripts.stack import Stack
from tests.browser import RESULTS, chromium, require_chromium
from tests.test_widget_browser import Widget

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "smp-consult.tar.gz"
EMAIL, PASSWORD = "jordan@pendle.example", "a staff password for tests"

pytestmark = [pytest.mark.server, pytest.mark.browser]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_chromium()
    with Stack(MODEL, tmp_path_factory.mktemp("console"), site=True, console=True) as running:
        created = running.run("python", "-m", "console.cli", "create-user", EMAIL)
        assert created.returncode == 2 and "PASSWORD" in created.stderr  # no terminal: it says how
        running.extra_env["PASSWORD"] = PASSWORD
        created = running.run("python", "-m", "console.cli", "create-user", EMAIL)
        assert created.returncode == 0, created.stderr
        yield running


def wait(driver, condition, timeout=60):
    """Waits for a condition on a page that may be changing under it (a form just submitted)."""
    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition)


def flash_says(driver, text: str) -> None:
    """Waits for the page after a form to confirm it (the old page's notice doesn't count)."""
    wait(driver, lambda d: text in d.find_element(By.CSS_SELECTOR, ".flash").text)


def test_staff_find_read_review_reply_and_export(stack, tmp_path):
    client = chromium(tmp_path / "client")
    staff = chromium(tmp_path / "staff", downloads=tmp_path / "downloads")
    try:
        widget = Widget(client, stack).open_page()
        session = widget.pain_question_answered()
        widget.ask("can I talk to a real person please")
        widget.wait_for_answer("I've asked a member of the Pendle Scalp Studio team")

        staff.get(stack.console_url + "/conversations")
        assert staff.current_url.startswith(stack.console_url + "/login")  # nothing without signing in
        staff.find_element(By.ID, "email").send_keys(EMAIL)
        staff.find_element(By.ID, "password").send_keys(PASSWORD)
        staff.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait(staff, lambda d: d.current_url == stack.console_url + "/conversations")  # not /login?next=...

        search = staff.find_element(By.NAME, "q")
        search.send_keys("real person")
        search.submit()
        wait(staff, lambda d: "q=real+person" in d.current_url)
        rows = wait(staff, lambda d: d.find_elements(By.CSS_SELECTOR, "table.list tbody tr"))
        assert len(rows) == 1 and "handoff" in rows[0].text and "paused" in rows[0].text
        rows[0].find_element(By.TAG_NAME, "a").click()
        wait(staff, lambda d: "/conversations/" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".chat"))
        assert session in staff.find_element(By.TAG_NAME, "h1").text
        assert "intent ask_pain" in staff.find_element(By.CSS_SELECTOR, ".chat .user .meta").text
        staff.save_screenshot(str(RESULTS / "console-transcript.png"))

        first = staff.find_element(By.CSS_SELECTOR, ".chat .user")
        first.find_element(By.TAG_NAME, "summary").click()
        Select(first.find_element(By.NAME, "intent")).select_by_visible_text("ask_risks")
        first.find_element(By.CSS_SELECTOR, ".review button").click()
        flash_says(staff, "should have been ask_risks")
        assert "marked: should be ask_risks" in staff.find_element(By.CSS_SELECTOR, ".chat .user .meta").text

        staff.find_element(By.ID, "reply-text").send_keys("Hi, Jordan here. Happy to help.")
        staff.find_element(By.CSS_SELECTOR, "form.reply button").click()
        flash_says(staff, "Sent to the client")
        widget.wait_for_answer("Hi, Jordan here. Happy to help.")  # the client sees it in the widget

        staff.find_element(By.XPATH, "//button[normalize-space()='Hand back to the assistant']").click()
        flash_says(staff, "Handed back to the assistant")
        widget.ask("what are the risks?")
        widget.wait_for_answer("SMP uses needles that break the skin")  # the assistant answers again

        staff.get(stack.console_url + "/requests")
        staff.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Export CSV')]").click()
        downloaded = wait(staff, lambda d: list((tmp_path / "downloads").glob("consultation-requests-*.csv")))
        time.sleep(0.5)  # let the download finish writing
        header = next(csv.reader(downloaded[0].open(encoding="utf-8")))
        assert header[:6] == ["id", "created_at", "status", "name", "phone", "email"]
        staff.save_screenshot(str(RESULTS / "console-requests.png"))
    finally:
        client.quit()
        staff.quit()

    engine = sa.create_engine(stack.database_url)
    with engine.connect() as connection:
        audit = connection.execute(sa.text("select staff_email, action from audit_log")).all()
        reviews = connection.execute(sa.text("select correct_intent, text from reviews")).all()
        handoffs = connection.execute(sa.text("select status from handoffs")).all()
    engine.dispose()
    assert audit == [(EMAIL, "export")]
    assert reviews == [("ask_risks", "does it hurt?")]
    assert handoffs == [("resumed",)]
