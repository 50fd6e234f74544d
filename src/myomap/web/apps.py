from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "myomap.web"
    label = "web"
    verbose_name = "Myomap web"
