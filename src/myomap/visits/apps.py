from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "myomap.visits"
    label = "visits"
    verbose_name = "Visits"
