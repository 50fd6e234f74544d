"""The check-in e-mail as a kind of background job."""

from __future__ import annotations

from django.utils import timezone

from myomap.aftercare.models import CheckIn
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job


@kind("aftercare.check_in")
def send(job: Job) -> None:
    from myomap.aftercare.actions import send_check_in

    check_in = (
        CheckIn.objects.select_related("clinic", "client")
        .filter(pk=job.payload["check_in"])
        .first()
    )
    if check_in is not None:
        send_check_in(check_in, timezone.now())
