from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "myomap.program"
    label = "program"
    verbose_name = "Home program and client portal"

    def ready(self) -> None:
        # The program reminder is a kind of background job: every worker must know it.
        from myomap.program import reminders  # noqa: F401
