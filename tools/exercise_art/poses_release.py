"""Poses of the self-release exercises: a ball held still on a tender spot."""

from __future__ import annotations

from exercise_art.figure import Arm, Front, Leg, Side
from exercise_art.geometry import Pt
from exercise_art.scene import FLOOR, Scene, along

CROOK = Leg(-50, 62, 0)
R = 7.0  # ball radius


def ball_release_quadratus_lumborum(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(Side(Pt(178, 150), 182, 184, 1, CROOK, CROOK, Arm(4, 0), Arm(6, 2)))
    ball = along(b["pelvis"], b["waist"], 0.8, -10)
    s.ball(Pt(ball.x, FLOOR - R), R, front=True)
    s.spot(Pt(ball.x, FLOOR - 2 * R - 2), 3)
    s.arrow(Pt(ball.x, ball.y - 46), Pt(ball.x, ball.y - 24))


def ball_release_gluteus_medius(s: Scene) -> None:
    s.floor()
    s.wall(96)
    b = s.pose(
        Front(
            pelvis=Pt(140, 100),
            trunk=-96,
            head=-94,
            pelvis_tilt=-4,
            left_leg=Leg(96, 92, 150, foot_scale=0.6),
            right_leg=Leg(80, 92, 30, foot_scale=0.6),
            left_arm=Arm(-150, -170, -175, fore_scale=0.7),
            right_arm=Arm(90, 80),
        )
    )
    hip = b["left_hip"]
    s.ball(Pt(106 + R, hip.y - 6), R, front=True)
    s.spot(Pt(hip.x - 9, hip.y - 6), 3)
    s.arrow(Pt(hip.x + 30, hip.y - 30), Pt(hip.x + 8, hip.y - 18))


def ball_release_piriformis(s: Scene) -> None:
    s.mat(40, 280)
    b = s.pose(
        Side(
            Pt(130, 150),
            -122,
            -100,
            1,
            Leg(-36, 68, 0),
            Leg(-30, 70, 0),
            Arm(128, 102, 170),
            Arm(132, 104, 170),
        ),
        ground=FLOOR - 2 * R + 4,
    )
    ball = along(b["pelvis"], b["hip"], 0.3, 0)
    s.ball(Pt(ball.x, FLOOR - R), R, front=True)
    s.spot(Pt(ball.x + 3, FLOOR - 2 * R - 3), 3)


def ball_release_erector_spinae(s: Scene) -> None:
    s.floor()
    s.wall(86)
    b = s.pose(
        Side(Pt(130, 100), -96, -92, 1, Leg(84, 100, 0), Leg(82, 102, 0), Arm(98, 60), Arm(96, 58))
    )
    ball = along(b["waist"], b["chest"], 0.2, -12)
    s.ball(Pt(96 + R, ball.y), R, front=True)
    s.spot(Pt(96 + 2 * R + 3, ball.y), 3)
    s.arrow(Pt(b["waist"].x + 34, b["waist"].y), Pt(b["waist"].x + 12, b["waist"].y))


def ball_release_hamstrings(s: Scene) -> None:
    s.floor()
    s.chair(Pt(166, 148))
    b = s.pose(
        Side(Pt(134, 134), -90, -90, 1, Leg(-10, 96, 0), Leg(2, 90, 0), Arm(76, 10), Arm(80, 14)),
        ground=None,
    )
    ball = along(b["hip"], b["knee"], 0.6, 0)
    s.ball(Pt(ball.x, 148 - R + 1), R, front=True)
    s.spot(Pt(ball.x, 148 - 2 * R - 2), 3)
    s.arrow(Pt(b["hip"].x + 30, b["hip"].y - 40), Pt(b["hip"].x + 30, b["hip"].y - 16))


def ball_release_tfl(s: Scene) -> None:
    s.mat(20, 300)
    b = s.pose(
        Side(
            Pt(180, 160),
            188,
            180,
            -1,
            Leg(-2, 0, 92),
            Leg(0, 0, 92),
            Arm(92, 180, 180),
            Arm(94, 180, 180),
        ),
        ground=FLOOR - 2 * R + 6,
    )
    ball = along(b["hip"], b["knee"], 0.1, 0)
    s.ball(Pt(ball.x, FLOOR - R), R, front=True)
    s.spot(Pt(ball.x, FLOOR - 2 * R - 3), 3)
    s.arrow(Pt(ball.x, ball.y - 44), Pt(ball.x, ball.y - 22))


def ball_release_calf(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(
            Pt(96, 160),
            -120,
            -100,
            1,
            Leg(-6, 4, -80),
            Leg(-38, 70, 0),
            Arm(122, 100, 170),
            Arm(126, 102, 170),
        ),
        ground=None,
    )
    ball = along(b["knee"], b["ankle"], 0.45, 0)
    s.ball(Pt(ball.x, FLOOR - R), R, front=True)
    s.spot(Pt(ball.x, FLOOR - 2 * R - 2), 3)
    s.arrow(Pt(b["ankle"].x - 30, b["ankle"].y - 34), Pt(b["ankle"].x - 30, b["ankle"].y - 12))


def ball_release_foot(s: Scene) -> None:
    s.floor()
    s.chair(Pt(150, 140))
    b = s.pose(
        Side(Pt(126, 129), -90, -90, 1, Leg(0, 75, 8), Leg(4, 92, 0), Arm(76, 10), Arm(80, 14)),
        ground=None,
    )
    ball = along(b["ankle"], b["toe"], 0.4, 0)
    s.ball(Pt(ball.x, FLOOR - R), R, front=True)
    s.spot(Pt(ball.x, FLOOR - 2 * R - 2), 2.6)
    s.arrow(Pt(ball.x - 20, FLOOR - 36), Pt(ball.x + 20, FLOOR - 36))


DESCRIPTIONS = {
    "ball-release-quadratus-lumborum": (
        "Lying on the back with knees bent, a ball under the side of the lower back "
        "between the lowest rib and the pelvis; the body weight rests on it."
    ),
    "ball-release-gluteus-medius": (
        "Standing side-on to a wall, a ball pinned between the wall and the upper outer "
        "buttock just below the pelvic rim."
    ),
    "ball-release-piriformis": (
        "Sitting on the floor leaning back on the hands, a ball under the middle of one buttock."
    ),
    "ball-release-erector-spinae": (
        "Standing with the back to a wall, a ball between the wall and the muscle beside "
        "the spine, never on the spine itself."
    ),
    "ball-release-hamstrings": (
        "Sitting on a firm chair, a ball under the middle of the back of the thigh, well "
        "above the back of the knee."
    ),
    "ball-release-tfl": (
        "Lying face down propped on the forearms, a ball under the front outer corner of "
        "the hip, just below and outside the hip bone."
    ),
    "ball-release-calf": (
        "Sitting on the floor leaning back on the hands, the calf resting on a ball, the "
        "other knee bent."
    ),
    "ball-release-foot": (
        "Sitting on a chair, a ball under the arch of the foot, pressed down gently."
    ),
}
