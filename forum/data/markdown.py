"""Posts are Markdown, rendered to HTML and sanitised against an allow-list.

No raw HTML and no images: a remote image would tell a stranger's server who is reading.
markdown-it escapes raw HTML and has images switched off; bleach then keeps only the tags,
attributes and link schemes below, whatever the renderer produced.

A writer can put a content warning on part of a post:

    :::cw relapse details
    The part readers open when they choose.
    :::

which becomes a closed `<details class="cw">` with the warning as its summary: it opens with
one click, Enter or Space, and needs no JavaScript.
"""

import re
from collections.abc import Sequence

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "a",
        "hr",
        "details",
        "summary",
    }
)
CONTENT_WARNING_CLASS = "cw"
CONTENT_WARNING_MAX_CHARS = 60


def _details_attribute(tag: str, name: str, value: str) -> bool:
    """A `details` keeps one attribute, class="cw": never `open`, never another class."""
    return name == "class" and value == CONTENT_WARNING_CLASS


ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "details": _details_attribute}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _is_content_warning(params: str, *args: object) -> bool:
    words = params.split(maxsplit=1)
    return bool(words) and words[0].lower() == CONTENT_WARNING_CLASS


def _render_content_warning(
    renderer: object, tokens: Sequence[Token], idx: int, options: object, env: object
) -> str:
    token = tokens[idx]
    if token.nesting == -1:
        return "</details>\n"
    words = token.info.split(maxsplit=1)
    label = words[1].strip()[:CONTENT_WARNING_MAX_CHARS] if len(words) > 1 else ""
    summary = escapeHtml(f"Content warning: {label}" if label else "Content warning")
    return f'<details class="{CONTENT_WARNING_CLASS}"><summary>{summary}</summary>\n'


_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["strikethrough", "linkify"])
    .disable(["image", "heading", "lheading", "html_block", "html_inline"])
    .use(
        container_plugin,
        name=CONTENT_WARNING_CLASS,
        validate=_is_content_warning,
        render=_render_content_warning,
    )
)


class _LinkRelFilter(Filter):
    """Give every link the same rel, whatever the source said."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and link schemes; set every link's rel."""
    return _cleaner.clean(html)


def visible_text(source: str) -> str:
    """The source without its `:::cw` blocks: what a reader sees of a post before opening a
    content warning, which is all that search indexes and quotes."""
    if ":::" not in source:  # every content-warning block opens with a ":::" line
        return source
    lines = re.sub(r"\r\n?", "\n", source).split("\n")  # markdown-it's own line split
    hidden: set[int] = set()
    for token in _renderer.parse(source):
        if token.type == f"container_{CONTENT_WARNING_CLASS}_open" and token.map:
            start, end = token.map
            closed = end < len(lines) and lines[end].lstrip("> \t").startswith(":::")
            hidden.update(range(start, end + 1 if closed else end))
    return "\n".join(line for number, line in enumerate(lines) if number not in hidden)


def render_markdown(source: str) -> str:
    """Markdown source to safe HTML: allow-listed tags, http/https/mailto links with rel set."""
    return sanitise_html(_renderer.render(source))
