from django.apps import AppConfig


class ClinicDataConfig(AppConfig):
    name = "myomap.clinicdata"
    label = "clinicdata"
    verbose_name = "The clinic's data"

    def ready(self) -> None:
        # The nightly backup: a kind of job, and the periodic task that plans it.
        from myomap.clinicdata import nightly  # noqa: F401
