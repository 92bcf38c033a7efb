"""What the preview adds to pages: the error page, banners and the live-reload script.

None of it goes through the project's templates: the error page has to appear exactly
when a template is broken. None of it is ever written to a file either; the server adds
it to each response, so neither the preview folder nor `build/` holds the script.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from .errors import Diagnostic

SHOWN = 200          # problems listed on one page; a broken template can cause thousands
EVENTS = "/_sitegen/events"
PROBLEMS = "/_sitegen/problems"

_STYLE = """
body{font:16px/1.6 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;
color:#1a1a1a;background:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}
h1{color:#b00020;font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}
li{margin:.75rem 0}code,pre{font-family:ui-monospace,monospace}
.severity{font-weight:bold;color:#b00020}.warning .severity{color:#8a5a00}
pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;margin:.25rem 0}
pre .here{background:#ffe0e0;display:inline-block;min-width:100%}
"""
_SEVERITY = {"error": "错误 error", "warning": "警告 warning"}


def reload_script(token: str) -> Markup:
    """Reload when the server says the site changed. `since` catches a change made
    between this response and the browser connecting; `page` tells the server which
    pages to rebuild first."""
    return Markup('<script data-sitegen-preview>(()=>{{const s=new EventSource("{}?since={}'
                  '&page="+encodeURIComponent(location.pathname));'
                  's.addEventListener("reload",()=>location.reload());}})();</script>'
                  ).format(Markup(EVENTS), token)


def problems_banner(errors: int) -> Markup:
    return Markup(  # the empty div keeps the end of the page from hiding under the banner
        '<div data-sitegen-preview style="height:3rem"></div>'
        '<div data-sitegen-preview role="alert" style="position:fixed;bottom:0;left:0;'
        'right:0;z-index:9999;background:#b00020;color:#fff;padding:.5rem 1rem;'
        'font:15px/1.4 system-ui,sans-serif">预览中有 {n} 个错误 · {n} error(s) in the '
        'preview — <a style="color:#fff" href="{href}">查看 view</a></div>'
    ).format(n=errors, href=Markup(PROBLEMS))


DRAFT_BANNER = Markup(
    '<div data-sitegen-preview style="background:#b00020;color:#fff;padding:.25rem 1rem;'
    'font:15px/1.4 system-ui,sans-serif"><strong>草稿 DRAFT</strong> · 只在预览中显示，'
    '不会发布 · shown in the preview only, never published</div>')


def inject(html: str, top: Markup, bottom: Markup) -> str:
    """`top` right after <body>, `bottom` right before </body> (or at the ends)."""
    lower = html.lower()
    start = lower.find("<body")
    start = lower.find(">", start) + 1 if start >= 0 else 0
    end = lower.rfind("</body>")
    end = end if end >= start else len(html)
    # str(): `str + Markup` would escape the whole page.
    return "".join((html[:start], str(top), html[start:end], str(bottom), html[end:]))


def error_page(problems: list[Diagnostic], root: Path, token: str,
               whole_site: bool = False) -> str:
    """The page shown instead of one that cannot be built, or of all problems."""
    if whole_site:
        heading = Markup('预览中的问题 <span lang="en">Problems in the preview</span>')
    else:
        heading = Markup('此页无法生成 <span lang="en">This page cannot be built</span>')
    if problems:
        lead = Markup('修正下列问题并保存，本页会自动刷新。<br><span lang="en">Fix the problems '
                      'below and save: this page reloads by itself.</span>')
    else:
        lead = Markup('没有问题。 <span lang="en">No problems.</span>')
    items = Markup("").join(_problem(d, root) for d in problems[:SHOWN])
    if len(problems) > SHOWN:
        items += Markup("<li>……另有 {n} 个问题 · and {n} more</li>").format(
            n=len(problems) - SHOWN)
    return Markup(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title}</title><style>{style}</style></head>\n<body><main>'
        '<h1>{heading}</h1><p>{lead}</p><ol class="problems">{items}</ol>'
        '<p><a href="{all}">全部问题 · all problems</a></p></main>{script}</body>\n</html>\n'
    ).format(title=Markup(heading).striptags(), style=Markup(_STYLE), heading=heading,
             lead=lead, items=items, all=Markup(PROBLEMS), script=reload_script(token))


def _problem(diagnostic: Diagnostic, root: Path) -> Markup:
    return Markup(
        '<li class="{severity}"><code class="where">{where}</code> '
        '<span class="severity">{label}</span><br><span lang="en">{message}</span>{excerpt}'
        '</li>').format(severity=diagnostic.severity, where=str(diagnostic.position),
                        label=_SEVERITY[diagnostic.severity], message=diagnostic.message,
                        excerpt=_excerpt(diagnostic, root))


def _excerpt(diagnostic: Diagnostic, root: Path) -> Markup:
    """The lines around the problem, as the editor shows them (Hugo's FileError idea)."""
    line = diagnostic.position.line
    path = (root / diagnostic.position.path).resolve()
    if not line or not path.is_relative_to(root.resolve()) or not path.is_file():
        return Markup("")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return Markup("")
    shown = []
    for number in range(max(1, line - 2), min(len(lines), line + 2) + 1):
        text = escape(f"{number:>4} | {lines[number - 1]}")
        shown.append(Markup('<span class="here">{}</span>').format(text)
                     if number == line else text)
    return Markup("<pre>{}</pre>").format(Markup("\n").join(shown))


def not_found_page(token: str) -> str:
    return Markup(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>404</title>'
        '<style>{style}</style></head>\n<body><main><h1>找不到此页 <span lang="en">Not found'
        '</span></h1><p><a href="/">首页 home</a></p></main>{script}</body>\n</html>\n'
    ).format(style=Markup(_STYLE), script=reload_script(token))
