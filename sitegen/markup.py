"""Report text: Markdown → HTML with Python-Markdown, then sanitised by an allow-list (nh3).

Python-Markdown does not sanitise (PITFALLS.md): raw `<script>`, `onerror=` and
`javascript:` links pass straight through it. So its *output* goes through nh3 with a
short allow-list: text structure, lists, tables and plain links only — no scripts, event
handlers, inline styles, iframes, images or `data:` URLs. Markdown tables get
`scope="col"` on their header cells, which Python-Markdown leaves out. `refusals` names
what the sanitiser will drop, so the checker can tell the editor where. English text that
quotes Chinese gets the Chinese marked `lang="zh-CN"` (`mark_chinese_html`), as on the
rest of an English page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import nh3

TAGS = {"p", "br", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
        "sup", "sub", "blockquote", "code", "pre", "hr", "a", "abbr",
        "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"},
              "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements whose content is code or styling, never text: dropped with everything inside.
DROPPED_WITH_CONTENT = {"script", "style", "template", "object", "embed", "iframe", "svg",
                        "math", "noscript", "textarea", "select"}
# Headings h1 and h2 belong to the page and the report's numbered sections.
EXTENSIONS = ["tables", "sane_lists"]
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}
_TAG = re.compile(r"(<[^>]*>)")
# A run of Chinese in English text (ideographs with their punctuation), and one ideograph:
# a text without any needs no translation. The one definition of both for the project.
CHINESE_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def render_markdown(text: str) -> str:
    """Sanitised HTML for a piece of report Markdown."""
    html = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                             output_format="html")
    return sanitise(html)


def sanitise(html: str) -> str:
    """HTML reduced to the allow-list; Markdown table headers become column headers."""
    return nh3.clean(html, tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                     attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, strip_comments=True,
                     link_rel="noopener noreferrer",
                     set_tag_attribute_values={"th": {"scope": "col"}})


def mark_chinese_html(html: str) -> str:
    """Sanitised HTML of English text with each run of Chinese in it (a quoted title, a
    name) wrapped in `<span lang="zh-CN">`; tags and their attributes are left alone."""
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even parts are text between tags
        parts[index] = CHINESE_RUN.sub(
            lambda run: (f'<span lang="zh-CN">{run.group()}</span>'
                         if CJK.search(run.group()) else run.group()), parts[index])
    return "".join(parts)


def refusals(text: str) -> list[str]:
    """What the sanitiser drops from this Markdown, in words for the editor."""
    finder = _RefusalFinder()
    finder.feed(markdown.markdown(text, extensions=EXTENSIONS,
                                  extension_configs=EXTENSION_CONFIGS))
    finder.close()
    return finder.found


class _RefusalFinder(HTMLParser):
    """Walks Markdown's raw output and lists each tag, attribute and link not allowed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def _note(self, what: str) -> None:
        if what not in self.found:
            self.found.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self._note(f"<{tag}>")
            return
        for name, value in attrs:
            if name in ("href", "src") and value and not _allowed_url(value):
                self._note(f"the link {value.split(':', 1)[0].strip()}:…")
            elif name not in ATTRIBUTES.get(tag, set()):
                self._note(f"the attribute {name}=")


def _allowed_url(url: str) -> bool:
    """http(s), mailto, or a relative address (no scheme before the first / ? #)."""
    head = url.strip().split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" not in head:
        return True
    return head.split(":", 1)[0].lower() in URL_SCHEMES
