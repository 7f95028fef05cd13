"""Posts are Markdown, rendered to HTML and sanitised against an allow-list.

No raw HTML and no images: a remote image would tell a stranger's server who is reading.
markdown-it escapes raw HTML and has images switched off; bleach then keeps only the tags,
attributes and link schemes below, whatever the renderer produced.
"""

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "del", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["strikethrough", "linkify"])
    .disable(["image", "heading", "lheading", "html_block", "html_inline"])
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


def render_markdown(source: str) -> str:
    """Markdown source to safe HTML: allow-listed tags, http/https/mailto links with rel set."""
    return _cleaner.clean(_renderer.render(source))
