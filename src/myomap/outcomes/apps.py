from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "myomap.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # The SOAP draft of a visit lists the scores taken at it: a receiver of the visits
        # app's signal, since visits does not import outcomes (the layers).
        from myomap.outcomes.series import note_lines_of
        from myomap.visits import drafting
        from myomap.visits.models import Visit

        drafting.outcome_lines.connect(
            note_lines_of, sender=Visit, dispatch_uid="outcomes.note_lines"
        )
