from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "myomap.aftercare"
    label = "aftercare"

    def ready(self) -> None:
        # The check-in is asked for when a session's note is first signed, and sent by a
        # worker (a kind of job).
        from myomap.aftercare import jobs, recheck, relief, signals  # noqa: F401
