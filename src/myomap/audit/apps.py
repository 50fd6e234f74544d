from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "myomap.audit"
    label = "audit"
    verbose_name = "Audit log"
