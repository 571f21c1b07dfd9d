"""Write assets/player.png, the README's picture of the HTML step player, with chromium headless.

The page is the one `gradtutor export apple-orange --format html` writes, opened from disk with
the network off and stepped to backward step 3 with the arrow key. Needs Debian's chromium
(apt-get install chromium) and playwright's Python package (the test extra). Run from the
repository root:

    python scripts/player_screenshot.py
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]
STEPS = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "apple-orange.html"
        command = [sys.executable, "-m", "gradtutor", "export", "apple-orange", "-o", str(page_path)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(offline=True, viewport={"width": 1180, "height": 420}, device_scale_factor=1)
            page = context.new_page()
            page.goto(page_path.resolve().as_uri())
            for _ in range(STEPS):
                page.keyboard.press("ArrowRight")
            page.locator(".gradtutor-player").screenshot(path="assets/player.png")
            browser.close()


if __name__ == "__main__":
    main()
