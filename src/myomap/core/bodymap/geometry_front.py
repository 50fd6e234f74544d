"""The figure's outline (shared by both views) and the front view's regions.

All coordinates are half coordinates ``(dx, y)`` - see ``geometry_base``. The figure is
about 7.5 heads tall (head 24-130, chin at 130, nipples ~236, navel ~342, crotch 461,
knees ~630, soles ~830), arms slightly abducted with the palms forward.
"""

from __future__ import annotations

from .geometry_base import Point, Poly, between, chain, cut_out, hsplit, spline, vsplit, weld

HEAD: list[Point] = [
    (0, 24), (15, 25.5), (27, 30.5), (35, 40), (38.6, 54), (39.2, 68), (39.6, 76.5),
    (41.4, 79.6), (42.8, 85), (43, 93), (41.8, 99.5), (39.4, 103.6), (36.6, 106.6),
    (33.4, 111.5), (29.6, 117), (26, 122.5), (24.6, 125),
]  # fmt: skip

ARM: list[Point] = [
    (24.6, 125), (24.2, 134), (25.2, 143), (28.5, 150), (36, 155.5), (50, 160.5),
    (64, 164.5), (78, 169), (90, 175), (98.6, 184), (104.2, 197), (107, 214),
    (108.5, 234), (110.5, 260), (113, 290), (115.6, 318), (118.5, 338), (123.5, 356),
    (128, 376), (130.6, 400), (132, 425), (133.4, 446), (136.8, 455), (141.6, 465.5),
    (145.6, 476.5), (148, 487), (148.2, 494.5), (146.2, 499),
]  # fmt: skip

THUMB: list[Point] = [
    (146.2, 499),
    (143.6, 497.6),
    (142.4, 492),
    (141.2, 485.5),
]  # the inner edge of the thumb, up to the web

FINGERS: list[Point] = [
    (141.2, 485.5), (140.6, 494), (140.6, 504), (139.8, 515.5), (137.4, 526), (133, 532.5),
    (126.5, 535), (119.5, 533.5), (114, 527.5), (111, 516), (110, 500), (110.2, 480), (110.5, 462),
    (110.6, 448), (107, 425), (101.8, 400), (96.6, 376), (92, 355), (88.8, 336),
    (86.4, 312), (84, 286), (81.5, 260), (79.6, 240), (78.6, 228.5),
]  # fmt: skip

TRUNK_LEG: list[Point] = [
    (78.6, 228.5), (78.1, 240), (77, 258), (74.2, 280), (70.2, 300), (66.4, 318),
    (65.2, 333), (66.6, 350), (70.6, 368), (75.6, 388), (79.6, 408), (81.8, 428),
    (82, 446), (81, 465), (79, 490), (76, 520), (72, 550), (67.4, 580), (62.6, 605),
    (59.6, 625), (59.4, 645), (60.6, 665), (61, 690), (58.2, 720), (52.8, 750),
    (47.6, 773), (45.6, 786),
]  # fmt: skip

FOOT_FRONT: list[Point] = [
    (45.6, 786), (47.6, 797), (50.8, 808), (53, 818.5), (50.6, 826), (43, 830),
    (34, 831.6), (25.6, 830.6), (19, 827.4), (16.4, 820), (17.4, 808), (19.8, 797), (21.6, 787),
]  # fmt: skip

FOOT_BACK: list[Point] = [
    (45.6, 786), (47.6, 797), (49.8, 807), (50.6, 815), (48.4, 820.5), (43, 825.5),
    (36, 828.8), (29, 829.2), (23.2, 826), (19.6, 818), (19.2, 806), (20.4, 796),
    (21.6, 787),
]  # fmt: skip

INNER_LEG: list[Point] = [
    (21.6, 787), (20.8, 770), (18, 742), (14.8, 714), (12.8, 690), (12.3, 668),
    (12.5, 646), (12.2, 626), (11, 604), (9.6, 576), (7.8, 546), (5.8, 516), (3.8, 491),
    (1.9, 473), (0, 461),
]  # fmt: skip


def half_outline(foot: list[Point]) -> Poly:
    """The outline of one half of the figure, from the crown round to the crotch; the
    polygon closes along the midline."""
    return chain(
        spline(HEAD),
        spline(ARM),
        spline(THUMB, 1.5),
        spline(FINGERS),
        spline([*TRUNK_LEG, *foot[1:], *INNER_LEG[1:]]),
    )


OUTLINE = half_outline(FOOT_FRONT)


# fmt: off
def front_regions() -> dict[str, Poly]:
    """Front-view regions of the client's right half, keyed by base region id."""
    out: dict[str, Poly] = {}
    s = spline
    head, rest = hsplit(OUTLINE, s([(-5, 131.5), (0, 131.5), (10, 130), (19, 127), (25.5, 123.5),
                                    (34, 117.5)]))
    face, out["jaw"] = hsplit(
        head, s([(-5, 116), (0, 116), (11, 114), (21, 108), (31, 99), (40, 92.5), (50, 89)])
    )
    # the side of the head (temple above, the ear and the front of the ear below) and the
    # eyebrow and eye, cut out of the forehead and face, which wraps round the eye
    face, side = vsplit(face, [(50, 50), (27, 50), (25, 64), (28, 80), (33, 100)])
    out["temple"], out["ear"] = hsplit(side, [(20, 81), (50, 79)])
    out["eye"], out["head-front"] = cut_out(face, [(40, 61), (6, 61), (6, 86), (40, 86)], (15, 74))
    out["neck-front"], rest = hsplit(
        rest, s([(-5, 164), (0, 164), (10, 162), (20, 157.5), (28, 151), (33, 144), (38, 137)])
    )
    trunk, arm = vsplit(
        rest, s([(70, 150), (72.5, 166), (75.5, 186), (78, 205), (79, 220), (79.2, 232),
                 (79.2, 246)])
    )
    out["shoulder-front"], arm = hsplit(arm, s([(70, 227), (95, 232), (125, 236)]))
    out["arm-upper-front"], arm = hsplit(arm, s([(78, 328), (104, 327), (140, 324)]))
    elbow, arm = hsplit(arm, s([(80, 358), (110, 356), (145, 352)]))
    out["epicondyle-medial"], out["elbow-front"] = vsplit(elbow, [(99, 318), (101, 368)])
    out["forearm-front"], out["hand-palm"] = hsplit(arm, s([(95, 440), (122, 439), (150, 437)]))

    def across(y_mid: float, y_side: float) -> list[Point]:
        return s([(-5, y_mid), (0, y_mid), (30, y_mid + (y_side - y_mid) * 0.3),
                  (60, y_mid + (y_side - y_mid) * 0.85), (96, y_side + 2)])

    out["chest-upper"], trunk = hsplit(trunk, across(212, 216))
    out["chest-lower"], trunk = hsplit(
        trunk, s([(-5, 272), (0, 272), (14, 277), (34, 287), (54, 296.5), (70, 302), (95, 306)])
    )
    out["abdomen-upper"], trunk = hsplit(trunk, across(319, 327))
    out["abdomen-middle"], trunk = hsplit(trunk, across(362, 357))
    out["abdomen-lower"], trunk = hsplit(
        trunk, s([(-5, 411), (0, 411), (13, 410.5), (28, 404), (46, 394), (62, 386), (76, 382),
                  (96, 380)])
    )
    pubic, trunk = vsplit(
        trunk, s([(14.6, 398), (14.6, 412), (14.2, 428), (11.8, 445), (7, 458), (2.5, 466.5),
                  (-6, 475)])
    )
    out["suprapubic"], out["genital"] = hsplit(pubic, [(-5, 433), (0, 433), (25, 432)])
    out["groin"], trunk = hsplit(
        trunk, s([(3, 456), (13, 449), (28, 433), (44, 417), (58, 404), (68, 392), (76, 372)])
    )
    out["hip-front"], leg = hsplit(
        trunk, s([(16, 428), (26, 440), (40, 447), (60, 449.5), (80, 451), (96, 452)])
    )
    thigh, leg = hsplit(leg, s([(-2, 611), (20, 604.5), (36, 602.5), (52, 604.5), (75, 611)]))
    split_line = s([(-5, 535), (30, 533), (95, 535)])
    medial, anterior = vsplit(
        thigh,
        [(27, 420), *between(OUTLINE, 452, 625, lambda y: 0.36 + 0.04 * (y - 452) / 173)],
    )
    out["thigh-medial-proximal"], out["thigh-medial-distal"] = hsplit(medial, split_line)
    out["thigh-anterior-proximal"], out["thigh-anterior-distal"] = hsplit(anterior, split_line)
    out["knee-front"], leg = hsplit(
        leg, s([(-2, 651), (20, 657.5), (36, 659.5), (52, 657.5), (75, 651)])
    )
    out["leg-front"], out["foot-top"] = hsplit(leg, s([(0, 777), (25, 773.5), (60, 771)]))
    return weld(out)
# fmt: on


# fmt: off
def front_details() -> tuple[list[Poly], list[Poly]]:
    """Decorative strokes of the front view: (one half's strokes, to be mirrored by the
    caller; strokes on the midline, drawn once)."""
    s = spline
    navel = s([(0, 338), (2.6, 340), (2.4, 344.5), (0, 346.5), (-2.4, 344.5), (-2.6, 340),
               (0, 338)], 1)
    return [
        s([(8, 70), (14, 67.5), (21, 68), (26, 70.5)]),  # eyebrow
        s([(9.5, 78.5), (14.5, 76.4), (20, 77), (23.5, 79)]),  # upper eyelid
        s([(4.2, 84), (4.6, 94), (6.6, 99.5), (3.5, 101.5), (0.5, 101.6)]),  # nose
        s([(0, 111.5), (5, 111.2), (9.5, 110.2)]),  # mouth
        s([(40.5, 87), (39.6, 93), (40, 99)]),  # ear
        s([(5, 167), (16, 166.5), (30, 163.8), (46, 164.6), (62, 167), (72, 168.5)]),  # clavicle
        s([(10, 244), (26, 250), (46, 250), (62, 243), (73.5, 233)]),  # pectoral
        s([(93, 338), (97, 343), (102, 346)]),  # elbow crease
        s([(113.5, 436), (121, 440), (129, 438)]),  # wrist crease
        s([(124.5, 533), (125.5, 518), (126, 505)]),  # fingers
        s([(118, 530), (118.5, 515), (119, 504)]),
        s([(132, 528), (132.6, 514), (132.7, 503)]),
        s([(136, 470), (131.8, 482), (130.6, 496)]),  # thenar crease
        s([(28, 616), (33.5, 612), (40, 613), (43.8, 620), (43, 633), (37, 640), (30, 639),
           (26.5, 631), (26.6, 622), (28, 616)]),  # kneecap
        s([(25, 822), (26, 829.5)]),  # toes
        s([(31.5, 824), (32.5, 830.6)]),
        s([(38.5, 823), (39.6, 830)]),
        s([(44.8, 820), (46.2, 827.4)]),
    ], [navel]
# fmt: on
