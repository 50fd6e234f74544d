from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One read or write of health data. Never updated or deleted by the application; the
    names are copied so the entry stays readable if the person or record is removed."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        SIGN = "sign", "Signed"
        AMEND = "amend", "Amended"
        REFERRAL = "referral", "Recorded a referral"
        OVERRIDE = "override", "Overrode a red flag"
        CLEARANCE = "clearance", "Recorded medical clearance"
        BLOCK = "block", "Safety gate blocked"
        EXPORT = "export", "Exported"
        DELETE = "delete", "Deleted"
        REVOKE = "revoke", "Revoked"
        USE = "use", "Used an API token"
        REFUSED = "refused", "Refused access"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.ForeignKey(
        "clients.Client", null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    client_label = models.CharField(max_length=250, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=10, default="web")  # web | api | cli | system

    class Meta:
        ordering = ["-at", "-id"]
        # The log's page, newest first, of the whole clinic or filtered to one client or
        # one action: each read from its index in the list's order, never sorted whole.
        indexes = [
            models.Index(fields=["clinic", "-at", "-id"], name="audit_list"),
            models.Index(fields=["clinic", "client", "-at", "-id"], name="audit_list_of_client"),
            models.Index(fields=["clinic", "action", "-at", "-id"], name="audit_list_of_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"
