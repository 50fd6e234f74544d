from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "myomap.visits"
    label = "visits"
    verbose_name = "Visits"

    def ready(self) -> None:
        from myomap.visits import pad_logging

        pad_logging.install()  # the pad's token never in the server's log
