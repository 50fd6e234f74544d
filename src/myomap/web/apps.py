from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "myomap.web"
    label = "web"
    verbose_name = "Myomap web"

    def ready(self) -> None:
        from myomap.web import signins

        signins.connect()
