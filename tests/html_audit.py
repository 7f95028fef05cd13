"""Read a rendered page as a browser's parser would and list what could run or call out.

Used by the template checks and the XSS run: event-handler attributes, script-capable URLs,
inline script or style, elements that load or run something, and, inside post bodies, any tag
or attribute outside the Markdown sanitiser's allow-list.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from forum.data.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "srcset", "xlink:href"}
    | {"codebase", "cite", "longdesc", "usemap", "manifest", "ping", "lowsrc", "dynsrc"}
)
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# elements that run code or load something by themselves: none belongs on a Harbor page
ACTIVE_ELEMENTS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base"}
    | {"svg", "math", "img", "image", "video", "audio", "source", "track", "picture", "portal"}
    | {"bgsound", "xml", "import", "template", "noscript", "marquee", "isindex"}
)
# Harbor's own server-drawn chart (templates/practice/_chart.html): an inline <svg> of these
# drawing elements only, outside any post body; anything else inside it is a problem
CHART_CLASS = "harbor-chart"
CHART_ELEMENTS = frozenset({"title", "desc", "text", "rect", "line", "polyline", "circle", "path"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def normalised_url(value: str) -> str:
    """As a browser reads a URL's scheme: control characters and spaces dropped, lower case."""
    return _INVISIBLE.sub("", value).lower()


class PageAudit(HTMLParser):
    """Fed a page, lists its problems and counts the post bodies it checked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.post_bodies = 0
        self._body_depth = 0
        self._in_own_script = False
        self._chart_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if self._body_depth:
            if tag == "div":
                self._body_depth += 1
            if tag not in ALLOWED_TAGS:
                self.problems.append(f"<{tag}> inside a post body")
            allowed = ALLOWED_ATTRIBUTES.get(tag, [])
            self.problems += [
                f"<{tag} {name}> inside a post body" for name in names if name not in allowed
            ]
        elif tag == "div" and "post-body" in (names.get("class") or "").split():
            self._body_depth = 1
            self.post_bodies += 1
        own_script = (
            tag == "script"
            and not self._body_depth
            and (names.get("src") or "").startswith("/static/")
        )
        own_chart = (
            tag == "svg"
            and not self._body_depth
            and CHART_CLASS in (names.get("class") or "").split()
        )
        if self._chart_depth:
            if tag not in CHART_ELEMENTS:
                self.problems.append(f"<{tag}> inside a chart")
        elif own_chart:
            self._chart_depth = 1
        elif own_script:
            self._in_own_script = True  # Harbor's own file: allowed, but with no inline code
        elif tag in ACTIVE_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "link" and not (names.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link> to {names.get('href')!r}")
        if tag == "meta" and "url=" in (names.get("content") or "").lower():
            self.problems.append(f"<meta> redirect {names.get('content')!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and normalised_url(value or "").startswith(SCRIPT_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name in {"src", "action", "formaction"} and urlsplit(value or "").netloc:
                self.problems.append(f"{name} to another host on <{tag}>: {value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._body_depth and tag == "div":
            self._body_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_own_script and data.strip():
            self.problems.append("inline code in a <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_own_script = False
        if tag == "svg":
            self._chart_depth = 0
        if self._body_depth and tag == "div":
            self._body_depth -= 1


def audit_page(html: str) -> PageAudit:
    audit = PageAudit()
    audit.feed(html)
    audit.close()
    return audit
