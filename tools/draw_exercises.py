"""Draw every exercise illustration of the knowledge base from pose data, in one style.

    .venv/bin/python tools/draw_exercises.py            # write the SVGs
    .venv/bin/python tools/draw_exercises.py --sheet /tmp/exercises/sheet.html

The SVGs are written to src/myomap/knowledge/exercises/<id>.svg and committed; the
exercise's name in exercises.yaml becomes the picture's <title>. The optional contact
sheet shows them all on one page to check them by eye.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from html import escape
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exercise_art import poses_core, poses_release, poses_stretch
from exercise_art.scene import Scene

KNOWLEDGE = Path(__file__).resolve().parent.parent / "src" / "myomap" / "knowledge"
Draw = Callable[[Scene], None]


def registry() -> dict[str, tuple[Draw, str]]:
    """Every drawing by exercise id, with a one-line description of what it shows."""
    out: dict[str, tuple[Draw, str]] = {}
    for module in (poses_stretch, poses_core, poses_release):
        for exercise_id, description in module.DESCRIPTIONS.items():
            draw = getattr(module, exercise_id.replace("-", "_"))
            out[exercise_id] = (draw, description)
    return out


def names() -> dict[str, str]:
    path = KNOWLEDGE / "exercises.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {entry["id"]: entry["name"] for entry in data["entries"]}


def draw_all(out_dir: Path) -> list[Path]:
    titles = names()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise_id, (draw, description) in registry().items():
        scene = Scene(titles.get(exercise_id, exercise_id), description)
        draw(scene)
        path = out_dir / f"{exercise_id}.svg"
        path.write_text(scene.svg(), encoding="utf-8")
        written.append(path)
    return written


def contact_sheet(paths: list[Path], sheet: Path) -> None:
    titles = names()
    cells = "".join(
        f'<figure><img src="{p.as_uri()}" width="480" height="300" alt="">'
        f"<figcaption>{escape(titles.get(p.stem, p.stem))}<br><code>{p.stem}</code>"
        f"</figcaption></figure>"
        for p in paths
    )
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(
        "<!doctype html><meta charset=utf-8><style>body{font:13px sans-serif;margin:12px;"
        "display:grid;grid-template-columns:repeat(3,490px);gap:8px}figure{margin:0}"
        "code{color:#777}</style>" + cells,
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=KNOWLEDGE / "exercises")
    parser.add_argument("--sheet", type=Path, help="also write an HTML contact sheet here")
    args = parser.parse_args()
    paths = draw_all(args.out)
    if args.sheet:
        contact_sheet(paths, args.sheet)
    print(f"wrote {len(paths)} illustrations to {args.out}")


if __name__ == "__main__":
    main()
