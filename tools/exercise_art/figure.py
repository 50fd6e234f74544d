"""A neutral mannequin built from rounded, tapered segments, posed by joint angles.

Two builders share one look: `side()` for the body seen from the side (most exercises)
and `front()` for the body seen from the front or back (side bends, butterfly).
Every angle is absolute, in screen degrees (0 right, 90 down, -90 up); a segment's
`scale` below 1 foreshortens it when it points toward or away from the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exercise_art.geometry import Pt, capsule_path, circle_path

# Segment lengths and joint radii, in viewBox units (the figure stands about 160 tall).
TRUNK, NECK = 50.0, 17.0
THIGH, SHIN, FOOT = 40.0, 37.0, 13.0
UPPER_ARM, FOREARM, HAND = 26.0, 22.0, 6.0
R_HIP, R_KNEE, R_ANKLE, R_TOE = 8.6, 6.0, 4.1, 2.7
R_SHOULDER, R_ELBOW, R_WRIST, R_HAND = 5.4, 4.1, 3.1, 3.6

NEAR = ("#8da2b8", "#3d4f63")  # fill, outline of the limbs nearest the viewer and trunk
FAR = ("#bccad8", "#6d8196")  # limbs on the far side, drawn first and lighter
OUTLINE = 1.6


@dataclass(frozen=True)
class Leg:
    thigh: float
    shin: float
    foot: float
    thigh_scale: float = 1.0
    shin_scale: float = 1.0
    foot_scale: float = 1.0


@dataclass(frozen=True)
class Arm:
    upper: float
    fore: float
    hand: float | None = None
    upper_scale: float = 1.0
    fore_scale: float = 1.0


@dataclass
class Body:
    """A posed figure: named joints and the SVG of its parts in drawing order."""

    joints: dict[str, Pt] = field(default_factory=dict)
    back: list[str] = field(default_factory=list)
    middle: list[str] = field(default_factory=list)
    front: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Pt:
        return self.joints[name]

    def lowest(self) -> float:
        return max(p.y + r for p, r in self._extents)

    _extents: list[tuple[Pt, float]] = field(default_factory=list)


def _segment(a: Pt, ra: float, b: Pt, rb: float, tone: tuple[str, str]) -> str:
    fill, line = tone
    return (
        f'<path d="{capsule_path(a, ra, b, rb)}" fill="{fill}" stroke="{line}" '
        f'stroke-width="{OUTLINE}" stroke-linejoin="round"/>'
    )


def _merged(shapes: list[str], tone: tuple[str, str]) -> str:
    """Several outlines drawn as one silhouette: an outline pass, then a fill pass."""
    fill, line = tone
    paths = "".join(f'<path d="{d}"/>' for d in shapes)
    return (
        f'<g fill="{line}" stroke="{line}" stroke-width="{2 * OUTLINE}" '
        f'stroke-linejoin="round">{paths}</g><g fill="{fill}">{paths}</g>'
    )


def _leg(body: Body, prefix: str, hip: Pt, leg: Leg, tone: tuple[str, str]) -> list[str]:
    knee = hip.step(leg.thigh, THIGH * leg.thigh_scale)
    ankle = knee.step(leg.shin, SHIN * leg.shin_scale)
    toe = ankle.step(leg.foot, FOOT * leg.foot_scale)
    body.joints.update({f"{prefix}hip": hip, f"{prefix}knee": knee})
    body.joints.update({f"{prefix}ankle": ankle, f"{prefix}toe": toe})
    body._extents += [(hip, R_HIP), (knee, R_KNEE), (ankle, R_ANKLE), (toe, R_TOE)]
    return [
        _segment(hip, R_HIP, knee, R_KNEE, tone),
        _segment(knee, R_KNEE, ankle, R_ANKLE, tone),
        _segment(ankle, R_ANKLE, toe, R_TOE, tone),
    ]


def _arm(body: Body, prefix: str, shoulder: Pt, arm: Arm, tone: tuple[str, str]) -> list[str]:
    elbow = shoulder.step(arm.upper, UPPER_ARM * arm.upper_scale)
    wrist = elbow.step(arm.fore, FOREARM * arm.fore_scale)
    hand = wrist.step(arm.fore if arm.hand is None else arm.hand, HAND)
    body.joints.update({f"{prefix}shoulder": shoulder, f"{prefix}elbow": elbow})
    body.joints.update({f"{prefix}wrist": wrist, f"{prefix}hand": hand})
    body._extents += [(elbow, R_ELBOW), (wrist, R_WRIST), (hand, R_HAND)]
    return [
        _segment(shoulder, R_SHOULDER, elbow, R_ELBOW, tone),
        _segment(elbow, R_ELBOW, wrist, R_WRIST, tone),
        _segment(wrist, R_WRIST, hand, R_HAND, tone),
    ]


@dataclass(frozen=True)
class Side:
    """The body seen from its side. `front` says which way the belly faces: +1 means the
    trunk direction turned clockwise on screen (a figure standing facing right has
    trunk -90 and front +1). `curve` rounds the lower back (+) or arches it (-)."""

    hip: Pt
    trunk: float
    head: float
    front: int
    near_leg: Leg
    far_leg: Leg
    near_arm: Arm
    far_arm: Arm
    curve: float = 0.0
    neck_scale: float = 1.0

    def build(self) -> Body:
        body = Body()
        hip = self.hip
        fwd = self.trunk + 90 * self.front  # the anterior direction

        def at(along: float, ahead: float) -> Pt:
            return hip.step(self.trunk, along).step(fwd, ahead)

        pelvis, waist = at(1, -3), at(22, -1 - self.curve)
        chest, top = at(37, 1.5), at(TRUNK, -1)
        shoulder = at(TRUNK - 4, -1)
        head = top.step(self.head, NECK * self.neck_scale)
        face_dir = self.head + 90 * self.front
        face = head.step(face_dir, 3.5).step(self.head + 180, 4.5)
        body.joints.update(
            {"pelvis": pelvis, "waist": waist, "chest": chest, "neck": top, "head": head}
        )
        body._extents += [(pelvis, 12.5), (waist, 10.5), (chest, 13), (head, 10)]
        body._extents += [(face, 7)]
        body.back += _leg(body, "far_", hip, self.far_leg, FAR)
        body.back += _arm(body, "far_", shoulder, self.far_arm, FAR)
        body.middle.append(
            _merged(
                [
                    capsule_path(pelvis, 12.5, waist, 10.5),
                    capsule_path(waist, 10.5, chest, 13),
                    capsule_path(chest, 13, top, 8.5),
                    capsule_path(top, 5, head, 5),
                    capsule_path(head.step(face_dir, -1.5), 10, face, 7),
                ],
                NEAR,
            )
        )
        body.front += _leg(body, "", hip, self.near_leg, NEAR)
        body.front += _arm(body, "", shoulder, self.near_arm, NEAR)
        return body


@dataclass(frozen=True)
class Front:
    """The body seen from the front (or back). Left and right are the image's."""

    pelvis: Pt
    trunk: float
    head: float
    left_leg: Leg
    right_leg: Leg
    left_arm: Arm
    right_arm: Arm
    arms_behind: bool = False
    pelvis_tilt: float = 0.0
    upright: float = -90.0  # the trunk's direction with no side bend (180: lying on a side)

    def build(self) -> Body:
        body = Body()
        p = self.pelvis
        level = self.upright + 90 + self.pelvis_tilt
        lean = self.upright + (self.trunk - self.upright) * 0.5  # the lumbar spine: half
        hip_l, hip_r = p.step(level, -9), p.step(level, 9)
        waist = p.step(lean, 22)
        chest = waist.step(self.trunk, 15)
        top = chest.step(self.trunk, 13)
        across = self.trunk + 90
        sh_l, sh_r = (
            top.step(self.trunk, -5).step(across, -16),
            top.step(self.trunk, -5).step(across, 16),
        )
        head = top.step(self.head, NECK)

        def at(along: float, side: float) -> Pt:
            return p.step(lean, along).step(lean + 90, side)

        body.joints.update({"pelvis": p, "waist": waist, "chest": chest, "head": head})
        body.joints.update({"left_flank": at(20, -11), "right_flank": at(20, 11)})
        body._extents += [(hip_l, 11), (hip_r, 11), (head, 10.5)]
        legs = _leg(body, "left_", hip_l, self.left_leg, NEAR)
        legs += _leg(body, "right_", hip_r, self.right_leg, NEAR)
        arms = _arm(body, "left_", sh_l, self.left_arm, NEAR)
        arms += _arm(body, "right_", sh_r, self.right_arm, NEAR)
        body.back += legs
        if self.arms_behind:
            body.back += arms
        body.middle.append(
            _merged(
                [
                    capsule_path(hip_l, 10, hip_r, 10),
                    capsule_path(p, 11.5, waist, 11),
                    capsule_path(waist, 11, chest, 14),
                    capsule_path(sh_l, 7, sh_r, 7),
                    capsule_path(chest, 14, top, 9),
                    capsule_path(top, 5, head, 5),
                    circle_path(head, 10.5),
                ],
                NEAR,
            )
        )
        if not self.arms_behind:
            body.front += arms
        return body
