from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "myomap.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The kinds of job this app runs itself (sending a message).
        from myomap.jobs import mail, sms  # noqa: F401
