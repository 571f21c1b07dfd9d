"""The HTML step player in a real browser: Debian's chromium, headless, driven by playwright.

The page is written by the real command, opened from disk with the network cut off (an offline
context, and every request that is not the file itself aborted and recorded), then stepped with
the arrow keys, the buttons and the slider. Nothing may log an error, and nothing may be fetched.
`.ci/run` installs chromium where it is missing; these tests skip, saying why, only where it is
still not there.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gradtutor.render.theme import THEMES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no chromium to drive (apt-get install chromium; .ci/run does it)"
)


def export(tmp_path, *args) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "gradtutor", "export", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / result.stdout.split()[0]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Page:
    """One player page, opened offline, with what it logged and what it tried to fetch."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
        self.errors: list[str] = []
        self.fetched: list[str] = []
        url = path.resolve().as_uri()

        def only_the_file(route):
            if route.request.url == url:
                route.continue_()
            else:
                self.fetched.append(route.request.url)
                route.abort()

        self.context.route("**/*", only_the_file)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: request.url != url and self.fetched.append(request.url))
        self.page.goto(url)

    def frame(self) -> int:
        return int(self.page.locator(".gradtutor-player").get_attribute("data-frame"))

    def visible(self, selector: str):
        shown = [e for e in self.page.locator(selector).all() if e.is_visible()]
        assert len(shown) == 1, f"{len(shown)} of {selector} shown"
        return shown[0]

    def close(self):
        self.context.close()


def test_arrow_keys_step_the_frame_and_its_row_offline(browser, tmp_path):
    path = export(tmp_path, "apple-orange", "--format", "html", "-o", "ao.html")
    page = Page(browser, path)
    try:
        assert page.frame() == 0
        first_svg = page.visible(".frame").inner_html()
        assert "Forward pass" in page.visible(".row").inner_text()
        page.page.keyboard.press("ArrowRight")
        assert page.frame() == 1
        row = page.visible(".row").inner_text()
        assert "Backward step 1 of 4" in row and "multiply swaps" in row
        assert "1 × 1.1 = 1.1" in row and "1 × 650 = 650" in row  # upstream × local = downstream, with numbers
        assert page.visible(".frame").inner_html() != first_svg
        assert page.visible(".where").inner_text() == "Backward step 1 of 4"
        page.page.keyboard.press("ArrowRight")
        page.page.keyboard.press("ArrowRight")
        assert page.frame() == 3 and "orange_num = 3" in page.visible(".row").inner_text()
        page.page.keyboard.press("ArrowLeft")
        assert page.frame() == 2
        page.page.keyboard.press("End")
        assert page.frame() == 4 and page.page.locator(".next").is_disabled()
        page.page.keyboard.press("ArrowRight")  # past the last frame: stays
        assert page.frame() == 4
        assert not page.errors and not page.fetched
    finally:
        page.close()


def test_buttons_and_slider_move_between_frames(browser, tmp_path):
    path = export(tmp_path, "apple", "-o", "apple.html", "--digits", "2")
    page = Page(browser, path)
    try:
        assert page.page.locator(".prev").is_disabled()
        page.page.locator(".next").click()
        assert page.frame() == 1 and "1.00 × 1.10 = 1.10" in page.visible(".row").inner_text()
        page.page.locator(".prev").click()
        assert page.frame() == 0
        page.page.locator(".slider").fill("2")
        assert page.frame() == 2 and "Backward step 2 of 2" in page.visible(".row").inner_text()
        assert "2.20" in page.visible(".frame").inner_text()  # the diagram rounds as the rows do
        assert not page.errors and not page.fetched
    finally:
        page.close()


def test_korean_tensor_player_in_the_dark_embeds_its_font(browser, tmp_path):
    path = export(tmp_path, "affine-batch", "--format", "html", "--lang", "ko", "--theme", "dark", "-o", "t.html")
    page = Page(browser, path)
    try:
        page.page.keyboard.press("ArrowRight")
        page.page.keyboard.press("ArrowRight")
        row = page.visible(".row").inner_text()
        assert "역전파 2/2단계" in row
        assert "X (2, 2), W (2, 3) → XW (2, 3)" in row  # a tensor step shows its shapes
        assert "6×4" in row and "dL/dX = dL/dXW · Wᵀ" in row  # the Jacobian and the rule the engine runs
        loaded = page.page.evaluate(
            "async () => { await document.fonts.ready;"
            " return document.fonts.check('16px \"Noto Sans CJK KR\"', '역전파') &&"
            " [...document.fonts].some(f => f.family.includes('Noto Sans CJK KR') && f.status === 'loaded') }"
        )
        assert loaded, "the embedded Hangul font did not load"
        background = page.page.evaluate("getComputedStyle(document.body).backgroundColor")
        dark = THEMES["dark"].background
        assert background == "rgb({}, {}, {})".format(*(int(dark[i:i + 2], 16) for i in (1, 3, 5)))
        assert not page.errors and not page.fetched
    finally:
        page.close()


def test_two_players_on_one_page_step_on_their_own(browser, tmp_path):
    """As in a notebook: two players' markup in one page, each with its own script and style."""
    from render_golden import traced

    from gradtutor.render.export import player

    first, second = player(traced("apple")), player(traced("apple-orange"), theme="dark")
    assert player(traced("apple")).html() == first.html()  # the same page from the same trace, every time
    path = tmp_path / "cells.html"
    path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div>{first._repr_html_()}</div>'
        f"<div>{second._repr_html_()}</div></body></html>",
        encoding="utf-8",
    )
    page = Page(browser, path)
    try:
        players = page.page.locator(".gradtutor-player")
        players.nth(1).locator(".next").click()
        page.page.keyboard.press("ArrowRight")  # the focus is in the second player: it steps, the first does not
        assert [players.nth(k).get_attribute("data-frame") for k in (0, 1)] == ["0", "2"]
        players.nth(0).locator(".next").click()
        assert [players.nth(k).get_attribute("data-frame") for k in (0, 1)] == ["1", "2"]
        assert not page.errors and not page.fetched
    finally:
        page.close()
