"""`myomap explain` beyond the low back: five drawings of the issue's list each get the
muscles the trigger point manuals name for that pain, explained and cited.

The expected sets are the muscles that Simons, Travell & Simons (vol. 1, 1999) and Travell
& Simons (vol. 2, 1992) list for pain in that area; the shipped knowledge base holds only
some of them, so the top five must come from the set and name its key muscle."""

from __future__ import annotations

import json

import pytest

from myomap.cli.main import main
from myomap.core.kb import load_default

KB = load_default()
MANUALS = {"simons-travell-1999", "travell-simons-1992"}

CASES = [
    pytest.param(
        ["temple-right:6"],
        {"temporalis", "trapezius", "sternocleidomastoid", "splenius-cervicis",
         "suboccipitals", "semispinalis-capitis"},
        {"temporalis", "trapezius"},
        id="temple-headache",
    ),
    pytest.param(
        ["epicondyle-lateral-right:7"],
        {"supinator", "brachioradialis", "extensor-carpi-radialis-longus", "triceps-brachii",
         "supraspinatus", "extensor-digitorum"},
        {"supinator", "brachioradialis", "extensor-carpi-radialis-longus"},
        id="lateral-elbow",
    ),
    pytest.param(
        ["shoulder-front-left:6"],
        {"infraspinatus", "deltoid", "scalenes", "supraspinatus", "pectoralis-major",
         "pectoralis-minor", "biceps-brachii", "coracobrachialis", "latissimus-dorsi"},
        {"deltoid", "pectoralis-major", "coracobrachialis"},
        id="front-of-shoulder",
    ),
    pytest.param(
        ["knee-front-left:6", "thigh-medial-distal-left:3"],
        {"vastus-medialis", "sartorius", "gracilis", "rectus-femoris", "adductor-longus-brevis",
         "vastus-lateralis"},
        {"vastus-medialis"},
        id="medial-knee",
    ),
    pytest.param(
        ["heel-right:7"],
        {"soleus", "quadratus-plantae", "abductor-hallucis", "tibialis-posterior"},
        {"soleus", "quadratus-plantae", "abductor-hallucis"},
        id="plantar-heel",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("regions", "named", "key"), CASES)
def test_the_drawing_gets_the_muscles_the_manuals_name_explained_and_cited(
    capsys, regions, named, key
):
    argv = ["explain", "--json", "--top", "5"]
    for region in regions:
        argv += ["--region", region]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    top = data["candidates"]
    assert 3 <= len(top) <= 5
    muscles = {c["muscle"] for c in top}
    assert muscles <= named, muscles - named
    assert muscles & key, (muscles, key)
    drawn = {r.split(":")[0] for r in regions}
    for c in top:
        assert c["explains"] and set(c["explains"]) <= drawn, c
        assert c["side"] == regions[0].split(":")[0].rsplit("-", 1)[1]
        assert MANUALS & set(KB.trigger_points[c["trigger_point"]].sources), c["trigger_point"]
    assert data["cover"] and data["unexplained"] == []


def test_the_table_names_the_new_regions_in_plain_words(capsys):
    assert main(["explain", "--region", "temple-right:6", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Pain drawing: Right temple 6/10")
    assert "temple (essential)" in out
    assert "not a diagnosis" in out
