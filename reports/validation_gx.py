"""Make GX Data Docs pages render offline: drop CDN links, inline a local stylesheet, no jQuery.

GX's page template loads Bootstrap, jQuery, Vega and Font Awesome from public CDNs and a logo
from S3. Offline those requests fail and the page renders unstyled. This module rewrites the
HTML text: external ``<link>``/``<script src>`` tags and remote images go, the vendored
``assets/gx/bootstrap-lite.css`` is inlined, and the two buttons' jQuery handlers are replaced
by plain JavaScript. It transforms HTML only; it computes nothing.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

__all__ = ["offline_data_docs_page", "render_data_docs_index"]

_ASSETS = Path(__file__).parent / "assets" / "gx"
_EXTERNAL = r"(?:https?:)?//"
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[^>]*>\s*</script>", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>", re.IGNORECASE | re.S)
_REMOTE_IMG = re.compile(rf"<img\b[^>]*\bsrc=[\"']{_EXTERNAL}[^>]*>", re.IGNORECASE)
_CSS_REMOTE_URL = re.compile(rf"url\(\s*['\"]?{_EXTERNAL}[^)]*\)", re.IGNORECASE)
_FORM = re.compile(r"<form\b.*?</form>", re.IGNORECASE | re.S)
_HREF = re.compile(r"href=[\"']([^\"'#]*?)(#[^\"']*)?[\"']", re.IGNORECASE)

_TOGGLE_SCRIPT = """<script>
function _thresherToggle(show) {
  var sel = '.hide-succeeded-validation-target, .hide-succeeded-validation-target-child';
  document.querySelectorAll(sel).forEach(function (el) {
      var box = el.classList.contains('hide-succeeded-validation-target') ? el : el.parentElement;
      box.style.display = show ? '' : 'none';
    });
}
function showAllValidations() { _thresherToggle(true); }
function hideSucceededValidations() { _thresherToggle(false); }
</script>"""


def _rewrite_href(match: re.Match[str], back_link: str) -> str:
    target, anchor = match.group(1), match.group(2) or ""
    if not target:
        return match.group(0)
    if target.startswith(("http://", "https://", "//")) or target.endswith("index.html"):
        return f'href="{escape(back_link)}"'
    return f'href="{escape(back_link)}"' if target.endswith(".html") else f'href="{anchor or "#"}"'


def offline_data_docs_page(html: str, back_link: str = "index.html") -> str:
    """Return `html` (a GX Data Docs page) rewritten to make no network request at all.

    Parameters
    ----------
    html
        A page rendered by GX's ``DefaultJinjaPageView``.
    back_link
        Where the page's home and external links should point instead (a local file).
    """
    stylesheet = (_ASSETS / "bootstrap-lite.css").read_text(encoding="utf-8")
    page = _LINK_TAG.sub("", html)
    page = _SCRIPT_SRC.sub("", page)
    page = _INLINE_SCRIPT.sub("", page)
    page = _REMOTE_IMG.sub("", page)
    page = _FORM.sub("", page)
    page = _CSS_REMOTE_URL.sub("none", page)
    page = _HREF.sub(lambda m: _rewrite_href(m, back_link), page)
    page = page.replace("<head>", f"<head>\n<style>\n{stylesheet}\n</style>", 1)
    return page.replace("</body>", f"{_TOGGLE_SCRIPT}\n</body>", 1)


def render_data_docs_index(pages: dict[str, bool], report_link: str) -> str:
    """Return a small offline index page linking each suite page (`name.html`) and its result.

    Parameters
    ----------
    pages
        Page name (file stem) -> whether that suite passed.
    report_link
        Relative link back to the thresher validation report.
    """
    rows = "\n".join(
        f'<tr><td><a href="{escape(name)}.html">{escape(name)}</a></td>'
        f'<td class="{"ok" if passed else "bad"}">{"passed" if passed else "failed"}</td></tr>'
        for name, passed in sorted(pages.items())
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f7f8fa; color: #1d2330; }}
main {{ max-width: 760px; margin: 0 auto; padding: 32px 24px; }}
table {{ width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e3e6ec; }}
td, th {{ padding: 8px 12px; border-bottom: 1px solid #e3e6ec; text-align: left; }}
.ok {{ color: #1f7a4d; font-weight: 600; }} .bad {{ color: #b42318; font-weight: 600; }}
a {{ color: #2657c5; }}
</style></head>
<body><main>
<h1>Great Expectations Data Docs</h1>
<p>One page per expectation suite run on this data.
<a href="{escape(report_link)}">Back to the validation report</a>.</p>
<table><thead><tr><th>suite</th><th>result</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</main></body></html>
"""
