"""The back view's regions, including the fine-grained lumbopelvic area and the soles.

Half coordinates ``(dx, y)`` - see ``geometry_base``; this half is the client's left.
Vertebral levels used: C7 ~162, T1 ~168, T7 ~255, T12 ~300, L1 ~310, L3 ~340 (navel
level), L5 ~375, S1 ~382; the posterior superior iliac spines ("dimples") ~395.
"""

from __future__ import annotations

import math

from .geometry_base import Point, Poly, chain, hsplit, inset, ramp, spline, vsplit, weld
from .geometry_front import FOOT_BACK, half_outline

OUTLINE = half_outline(FOOT_BACK)

SOLE_TOP = 846.0
SOLE_DX = 33.0

# A footprint seen from below, heel up and toes down (the client kneeling, seen from
# behind); u < 0 is the medial (big-toe) side, v runs from the heel to the toes.
_SOLE_EDGES: list[list[Point]] = [
    [(0, 0), (6.8, 1.4), (10.4, 5.8), (11.8, 13), (11.6, 23), (12, 34), (13.4, 45), (15, 54),
     (15.8, 60.5), (15.2, 64.5)],  # heel, outer edge, ball
    [(15.2, 64.5), (15.4, 68.2), (13.6, 70.8), (11.4, 69.8), (11.2, 68.6)],  # little toe
    [(11.2, 68.6), (11.4, 72.6), (9, 75.2), (6.8, 74.2), (6.6, 72.6)],
    [(6.6, 72.6), (6.8, 76.8), (4.2, 79.4), (1.8, 78.6), (1.6, 76.6)],
    [(1.6, 76.6), (1.6, 80.8), (-1.2, 83.4), (-3.8, 82.4), (-4.4, 80)],
    [(-4.4, 80), (-5, 84.6), (-9.4, 87), (-13.4, 85), (-15, 80)],  # big toe
    [(-15, 80), (-15.6, 72), (-15, 63), (-13, 54), (-10, 47), (-8, 40), (-7.4, 31),
     (-8.6, 21), (-9.8, 12), (-8.8, 5), (-5.6, 1.2), (0, 0)],  # ball, arch, heel
]  # fmt: skip


def sole() -> Poly:
    pts = chain(*(spline([(SOLE_DX + u, SOLE_TOP + v) for u, v in e], 1.5) for e in _SOLE_EDGES))
    return pts[:-1]


# fmt: off
def back_regions() -> dict[str, Poly]:
    """Back-view regions of the client's left half, keyed by base region id."""
    s = spline
    out: dict[str, Poly] = {}
    head, rest = hsplit(
        OUTLINE, s([(-5, 124), (0, 124), (12, 123.4), (21, 121.8), (27.5, 119.6), (40, 113)])
    )
    out["vertex"], out["head-back"] = hsplit(
        head, s([(-5, 50), (0, 50), (14, 51), (26, 54), (36, 58), (45, 61)])
    )
    out["neck-back"], rest = hsplit(
        rest, s([(-5, 163), (0, 163), (12, 159.5), (21, 154.5), (28, 148.5), (33, 141), (37, 134)])
    )
    trunk, arm = vsplit(
        rest, s([(80, 150), (83.5, 168), (83, 190), (81, 208), (79.6, 222), (79.2, 234),
                 (79.2, 246)])
    )
    out["shoulder-back"], arm = hsplit(arm, s([(70, 229), (95, 237), (125, 244)]))
    out["arm-upper-back"], arm = hsplit(arm, s([(78, 322), (104, 321), (140, 318)]))
    elbow, arm = hsplit(arm, s([(80, 356), (110, 354), (145, 350)]))
    out["elbow-back"], out["epicondyle-lateral"] = vsplit(elbow, [(110, 310), (113, 365)])
    out["forearm-back"], out["hand-back"] = hsplit(arm, s([(95, 444), (122, 443), (150, 441)]))

    # the crest of the ilium: the lower edge of the lumbar area and the flank
    back, pelvis = hsplit(
        trunk, s([(-5, 382), (0, 382), (12, 382), (24, 381), (32, 378.5), (40, 371.5),
                  (50, 362), (60, 355.6), (68, 353.6), (76, 355.5), (92, 361)])
    )
    spine, back = vsplit(back, [(4, 150), (4, 395)])
    out["spine-thoracic"], out["spine-lumbar"] = hsplit(spine, [(-5, 309), (10, 309)])
    out["shoulder-top"], back = hsplit(
        back, s([(2, 170), (12, 173.5), (22, 181.5), (30, 188.6), (42, 186), (57, 181.6),
                 (72, 178), (95, 174)])
    )
    upper, back = hsplit(
        back, s([(2, 254), (22, 254), (28, 257), (34, 263), (40, 268.5), (47, 265.5),
                 (62, 255.5), (78, 243), (95, 236)])
    )
    out["interscapular"], out["scapula"] = vsplit(
        upper, s([(22, 160), (24.5, 190), (26, 230), (27.5, 262)])
    )
    column, out["flank"] = vsplit(
        back, s([(36, 256), (37, 280), (39, 310), (42, 340), (44.6, 362), (46, 380)])
    )
    out["thoracic-lower"], column = hsplit(column, [(0, 292), (60, 292)])
    out["thoracolumbar"], column = hsplit(column, [(0, 320), (60, 320)])
    out["lumbar-upper"], out["lumbar-lower"] = hsplit(column, [(0, 350), (60, 350)])

    # pelvis: sacrum and coccyx in the middle, the sacroiliac joints beside the upper
    # sacrum, the iliac crest band arching out to the side, the buttocks below
    column, pelvis = vsplit(
        pelvis, s([(20.5, 370), (20, 386), (18, 400), (14.6, 414), (10.6, 426), (6.8, 436),
                   (3.8, 444), (1.6, 449.5), (-5, 452)])
    )
    out["sacrum"], out["coccyx"] = hsplit(column, [(-5, 429), (0, 429), (20, 429)])
    out["si-joint"], pelvis = vsplit(
        pelvis, s([(29, 366), (31.2, 382), (31.6, 394), (29.4, 404.5), (24.4, 412), (17, 416.5),
                   (8, 419)])
    )
    out["iliac-crest"], pelvis = hsplit(
        pelvis, s([(24, 396), (33.5, 392), (42, 385), (52, 375.5), (62, 369.5), (70, 369),
                   (78, 372.5), (94, 379)])
    )
    hip_w = [(360, 15.0), (450, 15.0), (540, 14.0), (640, 12.5), (720, 12.0), (786, 9.5)]
    strip = [*inset(OUTLINE, 352, 786, lambda y: ramp(y, hip_w)), (60, 792)]
    pelvis, side = vsplit(pelvis, strip)
    out["hip-lateral"], side = hsplit(side, [(50, 455), (100, 455)])
    out["thigh-lateral-proximal"], side = hsplit(side, [(40, 540), (100, 540)])
    out["thigh-lateral-distal"], out["leg-lateral"] = hsplit(side, [(30, 646), (100, 646)])

    out["buttock-upper"], pelvis = hsplit(
        pelvis, s([(25, 407), (34, 416.5), (48, 422), (62, 422.5), (74, 419.5), (92, 416)])
    )
    out["buttock-mid"], pelvis = hsplit(
        pelvis, s([(3, 441), (14, 444.5), (30, 448.5), (48, 450), (64, 447.5), (78, 443),
                   (94, 440)])
    )
    out["buttock-lower"], pelvis = hsplit(
        pelvis, s([(-5, 451.6), (0, 451.6), (8, 457.6), (20, 464.4), (35, 469), (50, 468.6),
                   (62, 464.6), (72, 458.6), (92, 452)])
    )
    out["gluteal-fold"], leg = hsplit(
        pelvis, s([(-5, 454.6), (0, 454.6), (8, 462.6), (20, 471.4), (35, 476.6), (50, 475.6),
                   (60, 470.8), (68, 465.4), (92, 457)])
    )
    out["thigh-posterior-proximal"], leg = hsplit(leg, [(-5, 540), (80, 540)])
    out["thigh-posterior-distal"], leg = hsplit(
        leg, s([(-2, 600), (14, 605), (30, 608.5), (46, 605.5), (62, 600)])
    )
    out["knee-back"], leg = hsplit(
        leg, s([(-2, 661), (14, 656.5), (30, 655), (46, 656.5), (62, 661)])
    )
    out["calf-upper"], leg = hsplit(leg, s([(-2, 722), (30, 719), (62, 720)]))
    out["calf-lower"], out["heel"] = hsplit(leg, s([(0, 785), (22, 787.5), (36, 788), (60, 789)]))
    out = weld(out)
    out["foot-plantar"] = sole()
    return out
# fmt: on


# fmt: off
def back_details() -> tuple[list[Poly], list[Poly]]:
    """Decorative strokes of the back view: (one half's strokes, to be mirrored by the
    caller; strokes on the midline, drawn once)."""
    s = spline
    half: list[Poly] = [
        s([(40.5, 87), (39.6, 93), (40, 99)]),  # ear
        s([(66, 186), (62, 218), (52, 248), (43, 264)]),  # lateral border of scapula
        [(24 + 1.5 * math.sin(a * math.pi / 6), 396 - 1.5 * math.cos(a * math.pi / 6))
         for a in range(13)],  # dimple over the posterior superior iliac spine
        s([(95, 340), (99, 336), (104, 335)]),  # olecranon
        s([(114, 453), (122, 456.5), (131, 454)]),  # back of wrist
        s([(124.5, 533), (125, 520), (125.5, 507)]),  # fingers
        s([(118, 530), (118, 518), (118.5, 506)]),
        s([(132, 528), (132.2, 516), (132.4, 505)]),
        s([(20, 630), (32, 633), (44, 630)]),  # popliteal crease
        s([(27, 745), (28.4, 768), (29.2, 786)]),  # Achilles tendon
        s([(39, 745), (37, 768), (35.4, 786)]),
        s([(27, 800), (33, 802.5), (39.5, 800)]),  # heel
    ]
    ticks: list[Poly] = []
    for k in range(17):  # spinous processes T1-L5
        y = 170 + k * (376 - 170) / 16
        ticks.append([(-1.6, y), (1.6, y)])
    cleft = s([(0, 438), (0, 461)])
    return half, [*ticks, cleft]
# fmt: on
