"""Before the medical clearance existed, "referral recorded" opened the gate for every red
flag. An emergency or urgent flag now waits for a clearance after its referral: move the
intakes that were opened that way back to "awaiting", so they stop planning until a
clearance or an override is recorded. The ids are frozen here as the knowledge base had
them (a migration never reads app code or data files that may change later)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

EMERGENCY_OR_URGENT = frozenset(
    {
        "cauda-equina-bladder",
        "cauda-equina-bowel",
        "cauda-equina-saddle",
        "cauda-equina-leg-deficit",
        "cauda-equina-gait",
        "cauda-equina-both-legs",
        "cauda-equina-sexual",
        "cancer-history",
        "cancer-weight-loss",
        "cancer-night-pain",
        "infection-fever",
        "infection-iv-drug-use",
        "infection-recent-bacterial",
        "infection-penetrating-wound",
        "fracture-major-trauma",
        "fracture-minor-trauma-fragile-bone",
        "fracture-long-term-steroids",
        "fracture-central-pain-lying",
        "fracture-structural-deformity",
        "thoracic-pain",
        "non-mechanical-pain",
        "widespread-neurology",
        "systemically-unwell",
    }
)


def referred_urgent_flags_await_clearance(apps: Any, schema_editor: Any) -> None:
    Intake = apps.get_model("clients", "Intake")
    for intake in Intake.objects.filter(gate="referred").only("pk", "red_flag_answers"):
        flagged = {k for k, v in (intake.red_flag_answers or {}).items() if v}
        if flagged & EMERGENCY_OR_URGENT:
            Intake.objects.filter(pk=intake.pk).update(gate="awaiting")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_red_flag_clearance")]

    operations = [
        migrations.RunPython(referred_urgent_flags_await_clearance, migrations.RunPython.noop)
    ]
