"""Poses of the strength, core, posture and mobility exercises."""

from __future__ import annotations

from dataclasses import replace

from exercise_art.figure import SHIN, THIGH, Arm, Front, Leg, Side
from exercise_art.geometry import Pt, angle_of, dist
from exercise_art.scene import FLOOR, Scene, along

CROOK = Leg(-50, 62, 0)  # lying on the back, knee bent, foot flat (head to the left)
ARMS_DOWN = Arm(2, 0, 0)  # lying on the back, arm resting along the body
KNEEL = Leg(90, 180, 180)  # on all fours, facing right
HAND_DOWN = Arm(90, 90, 0)


def supine(hip: Pt, near_leg: Leg, far_leg: Leg, near_arm: Arm, far_arm: Arm) -> Side:
    return Side(hip, 180, 182, 1, near_leg, far_leg, near_arm, far_arm)


def glute_bridge(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(Pt(180, 120), 154, 184, 1, Leg(-26, 92, 0), Leg(-26, 92, 0), Arm(4, 2), Arm(4, 2))
    )
    seat = b["pelvis"]
    s.muscle(Pt(seat.x - 6, seat.y + 7), Pt(seat.x + 8, seat.y + 6), 4.4)
    s.arrow(Pt(b["hip"].x + 2, b["hip"].y + 10), Pt(b["hip"].x + 2, b["hip"].y - 26))


def clamshell(s: Scene) -> None:
    s.mat_band(40, 270, 132)
    bottom = Leg(38, -20, 4, thigh_scale=0.85, shin_scale=0.9, foot_scale=0.6)
    pose = Front(
        pelvis=Pt(190, 150),
        upright=180,
        trunk=180,
        head=184,
        left_leg=bottom,
        right_leg=bottom,
        left_arm=Arm(182, 182, 182),
        right_arm=Arm(70, 84),
    )
    first = pose.build()
    knee = first["right_hip"].step(-4, THIGH * 0.85)
    ankle = first["left_ankle"].step(-90, 4)
    top = Leg(-4, angle_of(knee, ankle), 4, 0.85, dist(knee, ankle) / SHIN, 0.6)
    b = s.pose(replace(pose, right_leg=top), ground=170)
    s.muscle(
        along(b["right_hip"], b["pelvis"], -0.4, 0),
        along(b["right_hip"], b["right_knee"], 0.3, -4),
        4,
    )
    s.arc(b["right_hip"], 40, 34, -8)


def side_lying_hip_abduction(s: Scene) -> None:
    s.mat_band(30, 280, 136)
    b = s.pose(
        Front(
            pelvis=Pt(160, 150),
            upright=180,
            trunk=180,
            head=184,
            left_leg=Leg(4, 2, -80, foot_scale=0.6),
            right_leg=Leg(-22, -22, -100, foot_scale=0.6),
            left_arm=Arm(182, 182, 182),
            right_arm=Arm(70, 20),
        ),
        ground=170,
    )
    s.muscle(
        along(b["right_hip"], b["right_knee"], -0.25, -6),
        along(b["right_hip"], b["right_knee"], 0.35, -6),
        4,
    )
    s.arc(b["right_hip"], 70, 2, -26)


def modified_side_plank(s: Scene) -> None:
    s.mat_band(40, 270, 150)
    b = s.pose(
        Front(
            pelvis=Pt(190, 120),
            upright=180,
            trunk=200,
            head=200,
            left_leg=Leg(36, 100, 0, shin_scale=0.35, foot_scale=0.3),
            right_leg=Leg(32, 100, 0, shin_scale=0.35, foot_scale=0.3),
            left_arm=Arm(90, 110, 110, fore_scale=0.45),
            right_arm=Arm(14, 30),
        ),
        ground=172,
    )
    s.muscle(along(b["pelvis"], b["chest"], 0.05, 12), along(b["pelvis"], b["chest"], 0.6, 13), 3.6)
    s.arrow(Pt(b["pelvis"].x + 4, b["pelvis"].y + 26), Pt(b["pelvis"].x + 4, b["pelvis"].y - 10))


def bird_dog(s: Scene) -> None:
    s.mat(20, 300)
    b = s.pose(Side(Pt(130, 100), 0, 4, 1, Leg(182, 180, 95), KNEEL, HAND_DOWN, Arm(-4, -4, -4)))
    s.muscle(along(b["pelvis"], b["waist"], -0.2, -9), along(b["hip"], b["knee"], 0.6, -5), 3.6)
    s.arrow(Pt(b["knee"].x + 10, b["knee"].y - 16), Pt(b["knee"].x - 24, b["knee"].y - 16))
    hand = b["far_hand"]
    s.arrow(Pt(hand.x - 30, hand.y - 16), Pt(hand.x + 4, hand.y - 16))


def dead_bug(s: Scene) -> None:
    s.mat(20, 300)
    b = s.pose(
        supine(Pt(175, 150), Leg(-4, -2, -80), Leg(-90, 0, -85), Arm(188, 182), Arm(-90, -90))
    )
    s.muscle(along(b["pelvis"], b["chest"], 0.15, 9), along(b["pelvis"], b["chest"], 0.65, 10), 3.4)
    s.arrow(Pt(b["knee"].x - 18, b["knee"].y - 26), Pt(b["knee"].x + 18, b["knee"].y - 12))
    s.arrow(Pt(b["elbow"].x + 16, b["elbow"].y - 22), Pt(b["elbow"].x - 20, b["elbow"].y - 10))


def abdominal_drawing_in(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(supine(Pt(180, 150), CROOK, CROOK, Arm(-30, 30, 10), Arm(-26, 34, 10)))
    s.muscle(along(b["pelvis"], b["waist"], 0.0, 10), along(b["pelvis"], b["chest"], 0.55, 11), 3.4)
    belly = along(b["pelvis"], b["chest"], 0.3, 12)
    s.arrow(Pt(belly.x, belly.y - 30), Pt(belly.x, belly.y - 4))


def mcgill_curl_up(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(Pt(180, 150), 185, 198, 1, Leg(-4, -2, -80), CROOK, Arm(14, 2, 2), Arm(16, 4, 4))
    )
    s.muscle(along(b["pelvis"], b["chest"], 0.15, 9), along(b["pelvis"], b["chest"], 0.8, 11), 3.4)
    s.arc(b["waist"], 40, -150, -120)


def diaphragmatic_breathing(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(supine(Pt(180, 150), CROOK, CROOK, Arm(-40, 20, 10), Arm(-70, 0, -10)))
    belly = along(b["pelvis"], b["chest"], 0.35, 12)
    s.spot(Pt(belly.x, belly.y + 2), 3)
    s.arrow(Pt(belly.x + 4, belly.y - 8), Pt(belly.x + 4, belly.y - 34))
    s.arrow(Pt(belly.x - 10, belly.y - 34), Pt(belly.x - 10, belly.y - 8))


def hip_hinge_practice(s: Scene) -> None:
    s.floor()
    b = s.pose(
        Side(Pt(130, 100), -24, -14, 1, Leg(70, 96, 0), Leg(70, 96, 0), Arm(86, 84), Arm(88, 86))
    )
    top = along(b["pelvis"], b["neck"], 1.35, -14)
    low = along(b["pelvis"], b["neck"], -0.25, -14)
    s.prop(
        f'<path d="M{low.x:.1f} {low.y:.1f}L{top.x:.1f} {top.y:.1f}" stroke="#9b8664" '
        f'stroke-width="4" stroke-linecap="round"/>',
        front=True,
    )
    s.muscle(along(b["pelvis"], b["waist"], -0.3, -10), along(b["hip"], b["knee"], 0.7, -6), 3.6)
    s.arc(b["hip"], 46, -95, -145)


def sitting_on_sit_bones(s: Scene) -> None:
    s.floor()
    s.chair(Pt(176, 150))
    b = s.pose(
        Side(Pt(152, 139), -90, -90, 1, Leg(2, 90, 0), Leg(0, 92, 0), Arm(80, 0), Arm(84, 2)),
        ground=None,
    )
    s.spot(Pt(b["pelvis"].x - 2, b["pelvis"].y + 10), 3)
    s.prop(
        f'<path d="M{b["pelvis"].x - 2:.1f} {b["pelvis"].y - 8:.1f}V{b["head"].y - 14:.1f}" '
        f'stroke="#0f7c86" stroke-width="1.6" stroke-dasharray="4 4"/>',
        front=True,
    )


def pelvic_tilt(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(supine(Pt(180, 150), CROOK, CROOK, ARMS_DOWN, ARMS_DOWN))
    s.muscle(along(b["pelvis"], b["waist"], 0.0, 10), along(b["pelvis"], b["chest"], 0.5, 11), 3.4)
    s.arc(b["pelvis"], 26, -140, -40)


def thoracic_extension_over_towel(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(Pt(186, 164), 178, 168, 1, CROOK, CROOK, Arm(-150, 30), Arm(-146, 36)),
        ground=None,
    )
    s.towel(Pt(b["chest"].x + 2, FLOOR - 8), 8)
    s.arc(b["neck"], 30, -60, -150)


def cat_camel(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(Side(Pt(120, 100), 0, 50, 1, KNEEL, KNEEL, HAND_DOWN, HAND_DOWN, curve=8))
    s.muscle(
        along(b["pelvis"], b["chest"], 0.1, -12), along(b["pelvis"], b["chest"], 0.8, -12), 3.4
    )
    s.arrow(Pt(b["waist"].x, b["waist"].y - 16), Pt(b["waist"].x, b["waist"].y - 40))


def prone_press_up(s: Scene) -> None:
    s.mat(30, 290)
    b = s.pose(
        Side(
            Pt(150, 165),
            -20,
            -40,
            -1,
            Leg(180, 180, 185),
            Leg(180, 180, 185),
            Arm(85, 0),
            Arm(88, 2),
        ),
        ground=None,
    )
    s.muscle(along(b["pelvis"], b["waist"], 0.0, 9), along(b["pelvis"], b["chest"], 0.6, 10), 3.2)
    s.arc(b["hip"], 52, -40, -70)


def standing_back_extension(s: Scene) -> None:
    s.floor()
    b = s.pose(
        Side(
            Pt(160, 100), -104, -112, 1, Leg(94, 90, 0), Leg(92, 90, 0), Arm(120, 40), Arm(118, 36)
        )
    )
    s.arc(b["hip"], 58, -88, -122)


def open_book_rotation(s: Scene) -> None:
    s.mat_band(40, 270, 132)
    b = s.pose(
        Front(
            pelvis=Pt(190, 150),
            upright=180,
            trunk=180,
            head=184,
            left_leg=Leg(38, -20, 4, thigh_scale=0.85, shin_scale=0.9, foot_scale=0.6),
            right_leg=Leg(36, -18, 4, thigh_scale=0.85, shin_scale=0.9, foot_scale=0.6),
            left_arm=Arm(60, 10),
            right_arm=Arm(-110, -120),
        ),
        ground=170,
    )
    s.arc(b["right_shoulder"], 48, 30, -120)


DESCRIPTIONS = {
    "glute-bridge": (
        "Lying on the back, knees bent and feet flat, the hips lifted so shoulders, hips "
        "and knees form a line; the buttock muscles (gluteus maximus) work."
    ),
    "clamshell": (
        "Lying on one side with hips and knees bent and feet together, the top knee opens "
        "upward like a shell; the side of the hip (gluteus medius) works."
    ),
    "side-lying-hip-abduction": (
        "Lying on one side, the top leg straight and lifted a little behind the line of the "
        "body; the side of the hip (gluteus medius and minimus) works."
    ),
    "modified-side-plank": (
        "Side bridge on the forearm and knees, hips lifted in line with the trunk; the "
        "side of the trunk (obliques, quadratus lumborum) works."
    ),
    "bird-dog": (
        "On hands and knees, one arm reaches forward and the opposite leg back, the back "
        "kept level; the back extensors and buttock work."
    ),
    "dead-bug": (
        "Lying on the back, one arm reaches overhead while the opposite leg lowers toward "
        "the floor, the lower back kept still; the deep abdominals work."
    ),
    "abdominal-drawing-in": (
        "Lying on the back with knees bent, the lower belly gently drawn in toward the "
        "spine; the deep abdominal muscle (transversus abdominis) works."
    ),
    "mcgill-curl-up": (
        "Lying on the back, one knee bent, hands under the lower back; head and shoulders "
        "lift slightly as one unit; the front abdominal wall works."
    ),
    "diaphragmatic-breathing": (
        "Lying on the back with knees bent, one hand on the belly and one on the chest; "
        "the belly rises on the breath in and falls on the breath out."
    ),
    "hip-hinge-practice": (
        "Standing, bending forward from the hips with a stick along the back touching the "
        "head, upper back and sacrum; the back stays straight, the buttocks work."
    ),
    "sitting-on-sit-bones": (
        "Sitting upright on a chair, weight balanced on both sit bones, feet flat, ear, "
        "shoulder and hip stacked on one line."
    ),
    "pelvic-tilt": (
        "Lying on the back with knees bent, the pelvis rocks to flatten the lower back "
        "onto the mat and back again."
    ),
    "thoracic-extension-over-towel": (
        "Lying on the back over a rolled towel under the upper back, hands behind the head, "
        "the upper back extends gently over the roll."
    ),
    "cat-camel": (
        "On hands and knees, the back rounds up toward the ceiling and then gently sags, "
        "moving through the whole spine."
    ),
    "prone-press-up": (
        "Lying face down, the upper body is propped on the forearms while the hips stay "
        "on the mat; the lower back extends gently."
    ),
    "standing-back-extension": (
        "Standing with hands on the back of the hips, leaning the trunk gently backward "
        "and returning upright."
    ),
    "open-book-rotation": (
        "Lying on one side with hips and knees bent, the top arm opens from the front to "
        "the back, turning the upper back while the knees stay together."
    ),
}
