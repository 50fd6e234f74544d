from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "myomap.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
