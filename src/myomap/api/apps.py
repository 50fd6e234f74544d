from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "myomap.api"
    label = "api"
    verbose_name = "JSON API"
