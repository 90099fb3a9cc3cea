"""The chat widget in a real browser (tests/browser.py: Debian's Chromium, headless), against
the stack `make run` starts (sample site, Rasa, actions). Screenshots and the time to the first
answer are written under results/browser/ for review.
"""

import json
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from actions.profile import load_profile
from scripts.stack import Stack
from tests.browser import RESULTS, chromium, require_chromium

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "smp-consult.tar.gz"
WAIT = 90  # seconds: the first answer loads the model's components

pytestmark = [pytest.mark.server, pytest.mark.browser]

PROFILE = load_profile()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_chromium()
    with Stack(MODEL, tmp_path_factory.mktemp("widget"), site=True) as running:
        yield running


@pytest.fixture
def browser(stack, tmp_path):
    driver = chromium(tmp_path / "chromium-profile")
    yield driver
    driver.quit()


class Widget:
    """The widget on the sample page, reached through its shadow root."""

    def __init__(self, driver, stack: Stack) -> None:
        self.driver = driver
        self.stack = stack

    def open_page(self) -> "Widget":
        self.driver.get(self.stack.site_url + "/")
        self.wait(lambda _: self.driver.execute_script("return !!document.querySelector('[data-smp-chat]')"))
        return self

    @property
    def root(self):
        return self.driver.find_element(By.CSS_SELECTOR, "[data-smp-chat]").shadow_root

    def find(self, selector):
        return self.root.find_element(By.CSS_SELECTOR, selector)

    def find_all(self, selector):
        return self.root.find_elements(By.CSS_SELECTOR, selector)

    def wait(self, condition, timeout=WAIT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition)

    def open_and_accept(self) -> None:
        self.find(".launcher").click()
        self.find(".privacy .accept").click()

    def ask(self, text: str) -> None:
        box = self.find("textarea")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def stored(self, key: str):
        """A value of the widget's sessionStorage record."""
        return self.driver.execute_script("return JSON.parse(sessionStorage.getItem(arguments[0]))[arguments[1]]",
                                          f"smp-chat:{self.stack.url}", key)

    def pain_question_answered(self) -> str:
        """Opens the chat, asks "does it hurt?", waits for the answer; returns the session id."""
        self.open_and_accept()
        self.ask("does it hurt?")
        self.wait_for_answer(PAIN)
        return self.stored("sessionId")

    def bot_texts(self):
        return [bubble.text for bubble in self.find_all(".message.bot .bubble")]

    def wait_for_answer(self, starts: str):
        def answered(_):
            for message in self.find_all(".message.bot"):
                if starts in message.find_element(By.CSS_SELECTOR, ".bubble").text:
                    return message
            return False
        return self.wait(answered)

    def focused(self) -> str:
        """A description of the element that has the keyboard focus inside the widget."""
        return self.driver.execute_script("""
            const active = document.querySelector('[data-smp-chat]').shadowRoot.activeElement;
            return active ? active.tagName.toLowerCase() + '.' + active.className + ':' + active.textContent.trim() : '';
        """)

    def screenshot(self, name: str) -> Path:
        path = RESULTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def button(message, title: str):
    return next(b for b in message.find_elements(By.CSS_SELECTOR, ".replies button") if b.text == title)


def press(driver, *keys) -> None:
    """Presses keys wherever the keyboard focus is, as a keyboard user does."""
    ActionChains(driver).send_keys(*keys).perform()


def user_messages(stack: Stack, session: str):
    return [event["text"] for event in stack.tracker(session)["events"] if event["event"] == "user"]


def shift_tab(driver, times: int = 1) -> None:
    chain = ActionChains(driver).key_down(Keys.SHIFT)
    for _ in range(times):
        chain.send_keys(Keys.TAB)
    chain.key_up(Keys.SHIFT).perform()


PAIN = "Discomfort varies from person to person"
PROCEDURE = "It starts with a free consultation"


def test_privacy_notice_then_the_pain_question_is_answered(browser, stack):
    started = time.monotonic()
    widget = Widget(browser, stack).open_page()
    widget.find(".launcher").click()
    notice = widget.find(".privacy")
    assert "stored by the clinic for up to 12 months" in notice.text and 'Say "delete my data"' in notice.text
    assert notice.find_element(By.LINK_TEXT, "Read our privacy notice").get_attribute("href") == PROFILE.privacy_notice_url
    assert not widget.find("textarea").is_displayed()  # nothing can be typed before the notice
    widget.find(".privacy .accept").click()
    assert widget.bot_texts()[0].endswith(PROFILE.widget.greeting)

    asked = time.monotonic()
    widget.ask("does it hurt?")
    answer = widget.wait_for_answer(PAIN)
    answered = time.monotonic()
    assert PROFILE.numbing in answer.text
    titles = [button.text for button in answer.find_elements(By.CSS_SELECTOR, ".replies button")]
    assert "Book a consultation" in titles
    widget.wait(lambda _: widget.find(".typing").get_attribute("hidden") is not None, timeout=10)  # once acknowledged
    timing = {"page_to_first_answer_s": round(answered - started, 2), "question_to_answer_s": round(answered - asked, 2)}
    (RESULTS / "first-answer.json").write_text(json.dumps(timing, indent=2) + "\n")
    print(f"\nwidget timing: {timing}")
    widget.screenshot("pain-answer")


def test_a_quick_reply_gets_the_next_answer(browser, stack):
    widget = Widget(browser, stack).open_page()
    widget.open_and_accept()
    widget.ask("does it hurt?")
    answer = widget.wait_for_answer(PAIN)
    button(answer, "What happens in a session?").click()
    widget.wait_for_answer(PROCEDURE)
    users = [bubble.text for bubble in widget.find_all(".message.user .bubble")]
    assert users[-1].endswith("What happens in a session?")  # the title is shown, not "/ask_procedure"
    assert all(not button.is_enabled() for button in answer.find_elements(By.CSS_SELECTOR, ".replies button"))
    widget.screenshot("quick-reply")


def test_the_history_survives_a_reload_and_new_conversation_clears_it(browser, stack):
    widget = Widget(browser, stack).open_page()
    session = widget.pain_question_answered()

    browser.refresh()
    widget.wait(lambda _: widget.find_all(".message"))
    assert widget.find(".panel").is_displayed()  # still open after the reload
    assert any(PAIN in text for text in widget.bot_texts())
    assert sum(PAIN in text for text in widget.bot_texts()) == 1
    widget.ask("how much does it cost?")
    costs = widget.wait_for_answer("Our usual price ranges")
    assert len(costs.find_elements(By.CSS_SELECTOR, "ul li")) == len(PROFILE.prices)  # the list is a list
    # the same conversation on the server: both questions in one tracker (saved when the turn ends)
    widget.wait(lambda _: user_messages(stack, session) == ["does it hurt?", "how much does it cost?"], timeout=15)
    widget.screenshot("after-reload")

    widget.find(".restart").click()
    widget.wait(lambda _: not any(PAIN in text for text in widget.bot_texts()))
    assert "New conversation started." in widget.find(".log").text
    widget.wait(lambda _: widget.stored("sessionId") not in (None, session))
    assert browser.execute_script("return localStorage.length") == 0  # nothing outlives the browser session


def test_markup_typed_by_the_user_is_shown_as_text_and_never_runs(browser, stack):
    attack = "<img src=x onerror=alert(1)>"
    widget = Widget(browser, stack).open_page()
    widget.open_and_accept()
    widget.ask(attack)
    widget.wait(lambda _: len(widget.find_all(".message.bot")) >= 2)  # the assistant answered
    bubble = widget.find_all(".message.user .bubble")[-1]
    assert bubble.text.endswith(attack)
    assert widget.find_all(".log img") == []
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    widget.screenshot("markup-as-text")


def contrast(foreground: str, background: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_works_at_360_pixels_wide_with_aa_contrast(browser, stack):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    widget = Widget(browser, stack).open_page()
    widget.open_and_accept()
    widget.ask("does it hurt?")
    answer = widget.wait_for_answer(PAIN)
    panel = widget.find(".panel").rect
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    for button in answer.find_elements(By.CSS_SELECTOR, ".replies button"):
        box = button.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44
    for selector in (".header", ".bubble.user", ".bubble.bot", ".composer button", ".replies button"):
        colours = browser.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.color, s.backgroundColor]", widget.find(selector))
        assert contrast(*colours) >= 4.5, (selector, colours)
    widget.screenshot("narrow-360px")


def test_keyboard_only_from_the_page_to_an_answer_and_back(browser, stack):
    widget = Widget(browser, stack).open_page()
    for _ in range(30):  # Tab through the page's own links to the launcher
        press(browser, Keys.TAB)
        if widget.focused().startswith("button.launcher"):
            break
    assert widget.focused().startswith("button.launcher")
    press(browser, Keys.ENTER)
    assert widget.focused().startswith("button.accept")  # focus moves into the dialog
    press(browser, Keys.ENTER)
    assert widget.focused().startswith("textarea")
    press(browser, "does it hurt?", Keys.ENTER)
    widget.wait_for_answer(PAIN)
    log = widget.find(".log")
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")

    shift_tab(browser)  # back from the message box to the last suggested reply
    assert widget.focused() == "button.:Book a consultation"
    shift_tab(browser, 2)
    assert widget.focused() == "button.:What happens in a session?"
    press(browser, Keys.ENTER)
    widget.wait_for_answer(PROCEDURE)
    assert widget.focused().startswith("textarea")  # back in the message box after a reply

    press(browser, Keys.ESCAPE)
    assert not widget.find(".panel").is_displayed()
    assert widget.focused().startswith("button.launcher")  # focus returns to the launcher
    widget.screenshot("keyboard-closed")


def test_offline_is_shown_and_a_message_typed_meanwhile_is_sent_once_on_reconnect(browser, stack):
    widget = Widget(browser, stack).open_page()
    session = widget.pain_question_answered()

    stack.stop_process("rasa")
    widget.wait(lambda _: widget.find(".offline").is_displayed(), timeout=30)
    assert "offline" in widget.find(".offline").text.lower()
    widget.ask("what are the risks?")
    widget.screenshot("offline")
    stack.start_rasa()

    widget.wait(lambda _: not widget.find(".offline").is_displayed(), timeout=60)
    widget.wait_for_answer("SMP uses needles that break the skin")
    time.sleep(2)  # any duplicate would arrive now
    texts = widget.bot_texts()
    assert sum("SMP uses needles" in text for text in texts) == 1
    assert sum(PAIN in text for text in texts) == 1
    widget.wait(lambda _: user_messages(stack, session) == ["does it hurt?", "what are the risks?"], timeout=15)
