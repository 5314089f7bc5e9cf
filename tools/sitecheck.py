"""Serve the built site on loopback and drive Debian's headless Chromium against it (tests and budgets share this)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import re
import shutil
import socketserver
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".map")


class StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    """A static host as learners meet it (GitHub Pages, nginx): text files are sent gzip-compressed on request."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".gz": "application/gzip"}
    _compressed: dict[str, bytes] = {}

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix in COMPRESSIBLE and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = self._compressed.get(str(path))
            if body is None:
                body = self._compressed[str(path)] = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve_site(root: Path):
    """Serve `root` at http://127.0.0.1:<free port>/ in a thread; yields the base URL."""
    handler = functools.partial(StaticHostHandler, directory=str(root))
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()


def browser_available() -> str:
    """'' when Chromium and ChromeDriver are installed, else what to install."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    return f"missing {', '.join(missing)}: apt-get install chromium chromium-driver" if missing else ""


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 1000):
    """A headless Chromium session (Selenium + Debian's chromedriver) that records console and network logs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver, origin: str = "http://127.0.0.1") -> list[str]:
    """Every URL that pages under `origin` asked for since the last call (from the DevTools network log).

    Requests of the browser's own pages (chrome://newtab and the like) are not the site's and are left out.
    """
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            params = message["params"]
            if params.get("documentURL", "").startswith(origin):
                urls.append(params["request"]["url"])
    return urls


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 10.0):
    """Poll a JavaScript expression until it is truthy; return its value (or raise TimeoutError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(script)


def set_input(driver, element, value: str) -> None:
    """Set a form field's value and fire the event the page listens to, as typing would."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event(arguments[0].tagName === 'SELECT' ? 'change' : 'input',"
        " {bubbles: true}));",
        element, value,
    )


# ---- screens: viewport emulation and colour contrast -----------------------------------------------------------

# Headless Chromium never makes a window narrower than 500 px: a phone is emulated through DevTools instead.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False}


def emulate(driver, metrics: dict) -> None:
    """Give the page these screen metrics (PHONE, DESKTOP or any DevTools device metrics)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def screenshot(driver):
    """What the browser draws now, as an RGB PIL image in device pixels (PHONE's are twice its CSS pixels)."""
    from io import BytesIO

    from PIL import Image

    return Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour given as 0-255 channels."""

    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FILTER_STEPS = {
    "brightness": lambda c, a: c * a,
    "contrast": lambda c, a: (c - 0.5) * a + 0.5,
    "invert": lambda c, a: a * (1 - c) + (1 - a) * c,
}


def apply_filters(rgb, filters: list[str]) -> list[float]:
    """The colour drawn once CSS `filter` values are applied, innermost element's filter first.

    Covers brightness(), contrast() and invert() (what the themes use); anything else raises ValueError.
    """
    colour = [c / 255 for c in rgb[:3]]
    for value in filters:
        for name, amount in re.findall(r"([a-z-]+)\(([^)]*)\)", value):
            if name not in FILTER_STEPS:
                raise ValueError(f"filter {name}() is not modelled")
            number = float(amount.rstrip("%")) / (100 if amount.endswith("%") else 1)
            colour = [min(1.0, max(0.0, FILTER_STEPS[name](c, number))) for c in colour]
    return [c * 255 for c in colour]


# [text colour, background colour] of an element as drawn: its backgrounds (and their alpha) composited up the tree.
EFFECTIVE_COLOURS = """
const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
const el = arguments[0];
const fg = parse(getComputedStyle(el).color);
let layers = [];
for (let node = el; node; node = node.parentElement) {
  const bg = parse(getComputedStyle(node).backgroundColor);
  if (bg.length >= 3 && (bg.length === 3 || bg[3] > 0)) layers.push(bg);
  if (bg.length === 3 || bg[3] === 1) break;
}
let base = [255, 255, 255];
for (const layer of layers.reverse()) {
  const a = layer.length > 3 ? layer[3] : 1;
  base = base.map((v, i) => v * (1 - a) + layer[i] * a);
}
return [fg, base];
"""
