"""Headless Chromium against a live Harbor: what a page runs, and every request it makes.

Debian's Chromium at /usr/bin/chromium, driven by Playwright; no browser is downloaded.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before any script of the page: any call of a dialog function, and any CSP violation,
# is recorded in window.__harborRan instead of happening.
WATCH_SCRIPT = """
(() => {
  const ran = [];
  Object.defineProperty(window, "__harborRan", { value: ran });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function (...args) {
      ran.push(name + "(" + String(args[0]).slice(0, 60) + ")");
    };
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    ran.push("csp-violation:" + event.violatedDirective + ":" + event.blockedURI);
  }, true);
})();
"""

# After load: what in the DOM could run script or load from elsewhere.
DOM_CHECK_SCRIPT = """
() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020\\u007f]+/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(element.tagName + " " + name);
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(name)
          && /^(javascript|vbscript|data):/.test(value)) {
        found.push(element.tagName + " " + name + "=" + value.slice(0, 40));
      }
    }
  }
  const active = "script, iframe, frame, object, embed, applet, base, svg, math, img, video, "
    + "audio, style";
  const ownScript = (element) => element.tagName === "SCRIPT" && !element.textContent.trim()
    && element.src.startsWith(location.origin + "/static/");
  for (const element of document.querySelectorAll(active)) {
    // Harbor's own scripts (files under /static/, no inline code) are the only ones allowed
    if (!ownScript(element)) found.push("<" + element.tagName.toLowerCase() + ">");
  }
  return found;
}
"""


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-harbor", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class PageWatch:
    """What pages did, across every page loaded in one browser context."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    executions: list[str] = field(default_factory=list)
    dom_problems: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.add_init_script(WATCH_SCRIPT)
        context.on("request", self._request)
        context.on("page", lambda page: page.on("dialog", self._dialog))

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        if not request.url.startswith(self.origin + "/"):
            self.foreign_requests.append(request.url)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message[:60]}")
        dialog.dismiss()

    def visit(self, page: Any, url: str, settle_ms: int = 50) -> None:
        """Load `url`, give timers a moment, and record what ran and what the DOM holds."""
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        page.wait_for_timeout(settle_ms)
        self.executions += [f"{url}: {what}" for what in page.evaluate("window.__harborRan")]
        self.dom_problems += [f"{url}: {what}" for what in page.evaluate(DOM_CHECK_SCRIPT)]
