"""HTML to PDF with WeasyPrint, and the answer that carries it.

WeasyPrint draws text with the system's Pango library. It is imported only when a PDF is
made, so Myomap starts (and every other page works) on a machine without Pango; there a
PDF link answers 503 with what to install, instead of an error.

A document's HTML may link the project's own static files (its stylesheet, pictures) and
nothing else: `fetch` reads those from the static folders and refuses every other URL, so
making a PDF never reaches the network.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

INSTALL = (
    "PDFs need the Pango text library on the server: run `make pdf-libs` (Debian and "
    "Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0), then restart Myomap."
)
BASE_URL = "myomap-static:/"


class PdfUnavailable(Exception):
    """This server cannot make PDFs (WeasyPrint or its system libraries are missing)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{INSTALL} ({detail})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html` (a whole document). Raises PdfUnavailable."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the library loads, Pango does not
        raise PdfUnavailable(str(exc).splitlines()[0]) from None
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        """The project's static files; any other address is refused (never fetched)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, kind = static_file(url)
            return URLFetcherResponse(url, data, {"Content-Type": kind})

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnly())
    pdf: bytes = document.write_pdf()
    return pdf


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and type of the static file `url` names (`/static/...` as the templates
    write it, or relative to the document's base, `myomap-static:/...`); ValueError for
    anything else, whatever its path (`https://example.com/static/...` is refused, never
    read from here)."""
    parts = urlsplit(url)
    ours = url.startswith(BASE_URL) or (not parts.scheme and not parts.netloc)
    if not ours:
        raise ValueError(f"a document may use only the project's static files, not {url}")
    path = unquote(parts.path)
    prefix = "/" + str(settings.STATIC_URL).lstrip("/")
    if path.startswith(prefix):
        path = path[len(prefix) :]
    path = path.lstrip("/")
    found = finders.find(path) if path and not re.search(r"(^|/)\.\.(/|$)", path) else None
    if not isinstance(found, str):
        raise ValueError(f"a document may use only the project's static files, not {url}")
    with open(found, "rb") as handle:
        data = handle.read()
    return data, mimetypes.guess_type(found)[0] or "application/octet-stream"


def pdf_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    filename: str,
    audit: Callable[[], object] | None = None,
) -> HttpResponse:
    """The template drawn as a PDF, shown in the browser (and saved as `filename`), and
    `audit()` called once it is made (a PDF that could not be made showed nothing); 503
    with what to install where this server cannot make PDFs."""
    html = render_to_string(template, context, request=request)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    if audit is not None:
        audit()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{safe_filename(filename)}"'
    return response


# Letters that carry no accent to strip, written as their base letters.
_BASE_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe"}
    | {"ß": "ss", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th"}
)


def safe_filename(name: str) -> str:
    """`name` in plain letters, digits, dots, dashes and underscores, accents dropped (a
    header value every browser keeps): "note-Łukasik.pdf" is "note-Lukasik.pdf"."""
    plain = unicodedata.normalize("NFKD", name.translate(_BASE_LETTERS))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", plain)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-.")
    return cleaned or "document.pdf"
