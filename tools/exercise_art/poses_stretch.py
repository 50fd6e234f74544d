"""Poses of the stretches. Each function draws one exercise into a scene."""

from __future__ import annotations

from exercise_art.figure import Arm, Front, Leg, Side
from exercise_art.geometry import Pt
from exercise_art.scene import FLOOR, Scene, along

CROOK = Leg(-50, 62, 0)  # lying on the back, knee bent, foot flat (head to the left)


def hip_flexor_kneeling_stretch(s: Scene) -> None:
    s.mat(70, 250)
    b = s.pose(
        Side(
            hip=Pt(150, 100),
            trunk=-88,
            head=-90,
            front=1,
            near_leg=Leg(122, 180, 180, foot_scale=0.9),
            far_leg=Leg(-2, 90, 0),
            near_arm=Arm(70, 20, upper_scale=0.95),
            far_arm=Arm(62, 8),
        ),
        ground=FLOOR,
    )
    s.muscle(along(b["waist"], b["hip"], 0.2, -6), along(b["hip"], b["knee"], 0.55, -5), 3.4)
    s.arrow(Pt(b["hip"].x - 36, b["hip"].y - 4), Pt(b["hip"].x - 14, b["hip"].y - 4))


def figure_four_piriformis_stretch(s: Scene) -> None:
    s.floor()
    s.stool(Pt(160, 124), 84)
    b = s.pose(
        Front(
            pelvis=Pt(160, 114),
            trunk=-90,
            head=-90,
            left_leg=Leg(92, 90, 90, thigh_scale=0.3, foot_scale=0.35),
            right_leg=Leg(12, 176, 200, thigh_scale=0.85, shin_scale=0.95, foot_scale=0.5),
            left_arm=Arm(100, 80),
            right_arm=Arm(70, 40),
        ),
        ground=None,
    )
    s.muscle(
        along(b["right_hip"], b["right_knee"], -0.1, -8),
        along(b["right_hip"], b["right_knee"], 0.45, -8),
        3.4,
    )
    knee = b["right_knee"]
    s.arrow(Pt(knee.x + 8, knee.y - 34), Pt(knee.x + 8, knee.y - 12))


def hamstring_strap_stretch(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(
            hip=Pt(170, 150),
            trunk=180,
            head=182,
            front=1,
            near_leg=Leg(-82, -82, -172),
            far_leg=Leg(-2, 1, -85),
            near_arm=Arm(-70, -60),
            far_arm=Arm(-64, -66),
        )
    )
    top = along(b["ankle"], b["toe"], 0.7, 3)
    s.strap([b["hand"], Pt(top.x - 4, top.y - 10), top])
    s.muscle(along(b["hip"], b["knee"], 0.15, 6), along(b["hip"], b["knee"], 0.95, 4.5), 3.6)
    s.arc(b["hip"], 96, -70, -92)


def knee_to_chest_stretch(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(
            hip=Pt(175, 150),
            trunk=180,
            head=183,
            front=1,
            near_leg=Leg(-128, 8, 10),
            far_leg=CROOK,
            near_arm=Arm(-72, -20),
            far_arm=Arm(-76, -26),
        )
    )
    s.muscle(along(b["pelvis"], b["chest"], 0.05, -9), along(b["pelvis"], b["chest"], 0.7, -9), 3.4)
    s.arc(b["hip"], 58, -70, -118)


def childs_pose(s: Scene) -> None:
    s.mat(40, 290)
    b = s.pose(
        Side(
            hip=Pt(110, 150),
            trunk=27,
            head=58,
            front=1,
            near_leg=Leg(33, 180, 182),
            far_leg=Leg(33, 180, 182),
            near_arm=Arm(8, 0, 2),
            far_arm=Arm(10, 1, 2),
            curve=3,
        )
    )
    s.muscle(
        along(b["pelvis"], b["chest"], 0.05, -9), along(b["pelvis"], b["chest"], 0.75, -10), 3.4
    )
    s.arrow(Pt(b["pelvis"].x + 6, b["pelvis"].y - 30), Pt(b["pelvis"].x - 16, b["pelvis"].y - 22))


def quadratus_lumborum_side_bend_stretch(s: Scene) -> None:
    s.floor()
    b = s.pose(
        Front(
            pelvis=Pt(160, 100),
            trunk=-116,
            head=-122,
            left_leg=Leg(95, 92, 150, foot_scale=0.6),
            right_leg=Leg(85, 88, 30, foot_scale=0.6),
            left_arm=Arm(106, 96),
            right_arm=Arm(-118, -160, -168),
        )
    )
    s.muscle(along(b["right_hip"], b["chest"], 0.05, 0), b["right_flank"], 3.6)
    s.arc(b["waist"], 72, -58, -100)


def adductor_butterfly_stretch(s: Scene) -> None:
    s.mat(70, 250)
    b = s.pose(
        Front(
            pelvis=Pt(160, 160),
            trunk=-90,
            head=-90,
            left_leg=Leg(172, 22, 60, thigh_scale=0.95, shin_scale=0.8, foot_scale=0.5),
            right_leg=Leg(8, 158, 120, thigh_scale=0.95, shin_scale=0.8, foot_scale=0.5),
            left_arm=Arm(108, 70),
            right_arm=Arm(72, 110),
        )
    )
    s.muscle(
        along(b["left_hip"], b["left_knee"], 0.25, 4),
        along(b["left_hip"], b["left_knee"], 0.9, 3),
        3,
    )
    s.muscle(
        along(b["right_hip"], b["right_knee"], 0.25, -4),
        along(b["right_hip"], b["right_knee"], 0.9, -3),
        3,
    )
    for knee in (b["left_knee"], b["right_knee"]):
        s.arrow(Pt(knee.x, knee.y - 30), Pt(knee.x, knee.y - 11))


def tfl_itb_standing_stretch(s: Scene) -> None:
    s.floor()
    b = s.pose(
        Front(
            pelvis=Pt(168, 100),
            trunk=-106,
            head=-112,
            pelvis_tilt=8,
            left_leg=Leg(88, 92, 150, foot_scale=0.6),
            right_leg=Leg(114, 108, 30, foot_scale=0.6),
            left_arm=Arm(110, 80),
            right_arm=Arm(-106, -140, -150),
        )
    )
    s.muscle(
        along(b["right_hip"], b["right_knee"], -0.05, -7),
        along(b["right_hip"], b["right_knee"], 0.75, -6),
        3.4,
    )
    s.arrow(
        Pt(b["right_hip"].x + 12, b["right_hip"].y + 2),
        Pt(b["right_hip"].x + 34, b["right_hip"].y + 2),
    )


def calf_wall_stretch(s: Scene) -> None:
    s.floor()
    s.wall(262)
    b = s.pose(
        Side(
            hip=Pt(180, 95),
            trunk=-70,
            head=-66,
            front=1,
            near_leg=Leg(113, 113, -4),
            far_leg=Leg(66, 104, 0),
            near_arm=Arm(-14, -24, -70),
            far_arm=Arm(-10, -22, -70),
        )
    )
    s.muscle(along(b["knee"], b["ankle"], 0.1, -4), along(b["knee"], b["ankle"], 0.7, -3), 3.4)
    s.arrow(Pt(b["ankle"].x - 6, b["ankle"].y - 30), Pt(b["ankle"].x - 6, b["ankle"].y - 10))


def soleus_bent_knee_stretch(s: Scene) -> None:
    s.floor()
    s.wall(262)
    b = s.pose(
        Side(
            hip=Pt(182, 105),
            trunk=-74,
            head=-70,
            front=1,
            near_leg=Leg(100, 122, -4),
            far_leg=Leg(62, 108, 0),
            near_arm=Arm(-12, -26, -70),
            far_arm=Arm(-8, -24, -70),
        )
    )
    s.muscle(along(b["knee"], b["ankle"], 0.45, -3), along(b["knee"], b["ankle"], 0.95, -2), 3)
    s.arrow(Pt(b["hip"].x - 22, b["hip"].y - 14), Pt(b["hip"].x - 22, b["hip"].y + 10))


DESCRIPTIONS = {
    "hip-flexor-kneeling-stretch": (
        "Half-kneeling on a mat, back knee down, trunk upright; the hips glide forward to "
        "stretch the front of the back hip (iliopsoas)."
    ),
    "figure-four-piriformis-stretch": (
        "Lying on the back with one ankle crossed over the other knee; the hands draw the "
        "lower thigh toward the chest to stretch the deep buttock (piriformis)."
    ),
    "hamstring-strap-stretch": (
        "Lying on the back with one leg raised straight, a strap around the foot held in "
        "both hands; the back of the thigh (hamstrings) is stretched."
    ),
    "knee-to-chest-stretch": (
        "Lying on the back, one knee hugged to the chest with both hands, the other foot "
        "flat; the lower back muscles are stretched."
    ),
    "childs-pose": (
        "Kneeling, sitting back toward the heels with the trunk folded over the thighs and "
        "arms reaching forward on the mat; the lower back is stretched."
    ),
    "quadratus-lumborum-side-bend-stretch": (
        "Standing, seen from behind, one arm reaching up and over the head into a side "
        "bend; the side of the waist (quadratus lumborum) is stretched."
    ),
    "adductor-butterfly-stretch": (
        "Sitting upright, seen from the front, soles of the feet together and knees "
        "lowering out to the sides; the inner thighs (adductors) are stretched."
    ),
    "tfl-itb-standing-stretch": (
        "Standing, seen from behind, one leg crossed behind the other, the hip pushed out "
        "to that side and the arm reaching over; the outer hip (TFL) is stretched."
    ),
    "calf-wall-stretch": (
        "Facing a wall with hands on it, the back leg straight and its heel pressed down; "
        "the upper calf (gastrocnemius) of the back leg is stretched."
    ),
    "soleus-bent-knee-stretch": (
        "Facing a wall, the back knee bent with its heel kept down; the lower calf "
        "(soleus) of the back leg is stretched."
    ),
}
