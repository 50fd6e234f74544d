from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "myomap.appointments"
    label = "appointments"

    def ready(self) -> None:
        # The reminder e-mail is a kind of background job.
        from myomap.appointments import reminders  # noqa: F401
