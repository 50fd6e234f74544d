"""The static pictures under and over a pain drawing shown as a picture (the assessment
page's drawing): `core.bodymap.svg.figure_under` and `figure_over`, kept as static files
beside this module so the browser fetches them once, not within every page.

The files are generated: after a change to the body map's shapes or stylesheet, write them
again with `python -m myomap.clients.figure` (tests/web/test_bodymap_figure.py fails until
they match what the core draws)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from myomap.core.bodymap.svg import figure_over, figure_under

FOLDER = Path(__file__).parent / "static" / "myomap" / "bodymap"
FILES = {"figure-under.svg": figure_under, "figure-over.svg": figure_over}


@cache
def addresses() -> tuple[str, str]:
    """The static addresses of the two pictures (under, over), each with its content's
    digest so a browser never keeps an outdated one. Read once per process: the files only
    change with a new release."""
    from django.templatetags.static import static

    found = []
    for name in FILES:
        digest = hashlib.sha256((FOLDER / name).read_bytes()).hexdigest()[:12]
        found.append(f"{static('myomap/bodymap/' + name)}?v={digest}")
    return found[0], found[1]


def write() -> list[Path]:
    """Write the two pictures from the core's drawing."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FILES.items():
        path = FOLDER / name
        path.write_text(draw(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
