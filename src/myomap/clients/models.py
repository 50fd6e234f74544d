from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal, get_args

from django.conf import settings
from django.db import models
from django.utils import timezone

from myomap.accounts.models import Clinic
from myomap.clients.revisions import describe
from myomap.core.kb import load_default

# How a consent was given: a signed form, or said aloud to the person who recorded it.
ConsentHow = Literal["written", "verbal"]
CONSENT_HOWS: tuple[ConsentHow, ...] = get_args(ConsentHow)
CONSENT_HOW_WORDS: dict[str, str] = {"written": "Written (signed form)", "verbal": "Verbal"}
# The consents a client gives, by the name of their fields.
CONSENTS: dict[str, str] = {"treatment_consent": "treatment", "data_consent": "health data"}


def visible_clients(user: Any, via: str = "") -> models.Q:
    """Who sees which clients, as a condition on the client reached through `via` (a
    relation path such as "client" from a visit): a therapist or admin sees their clinic's
    clients, a client only their own record, anyone else none. A condition, not a
    subquery, so a visit or note is checked on the row it joins to, not against a list of
    every client of the clinic."""
    field = f"{via}__" if via else ""
    if getattr(user, "is_authenticated", False):
        if user.is_staff_member:
            return models.Q(**{f"{field}clinic_id": user.clinic_id})
        if user.role == user.Role.CLIENT:
            return models.Q(**{f"{field}user": user})
    return models.Q(pk__in=[])


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: Any) -> ClientQuerySet:
        """A therapist or admin sees their clinic's clients; a client only their own record."""
        return self.filter(visible_clients(user))

    def bulk_create(self, objs: Iterable[Client], *args: Any, **kwargs: Any) -> list[Client]:
        """Create many clients at once (the demo clinic), with their search keys, which a
        bulk create would otherwise leave empty as it does not call `save`."""
        clients = list(objs)
        for client in clients:
            client.set_search_keys()
        return super().bulk_create(clients, *args, **kwargs)

    def matching(self, query: str) -> ClientQuerySet:
        """Clients whose name starts with `query`, family or given name first, ignoring
        case and accents: "smi" finds Smith, "ann" Anna, "gail fen" Gail Fenwick and
        "fenwick g" her too; all of them for an empty query.

        A range on the stored keys (`key >= term AND key < term + U+10FFFF`), which the
        (clinic, key) indexes serve on SQLite and PostgreSQL alike, where a `LIKE
        '%term%'` reads every row."""
        # A search term is words: control characters (a NUL breaks PostgreSQL) are dropped.
        term = name_key("".join(ch for ch in query if ch.isprintable())[:100])
        if not term:
            return self
        end = term + LAST_CHARACTER
        return self.filter(
            models.Q(family_key__gte=term, family_key__lt=end)
            | models.Q(given_key__gte=term, given_key__lt=end)
        )


def name_key(text: str) -> str:
    """`text` as names are searched and sorted: accents stripped, case folded, the
    letters that carry no accent to strip written as their base letters (Ł as l, Ø as o,
    Æ as ae), every run of other characters than letters and digits one space.
    `name_key("  Öztürk-Brown ")` is "ozturk brown", `name_key("Łukasik")` "lukasik",
    `name_key("Straße")` "strasse". (Migration 0009 holds a copy.)"""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.split(plain.translate(BASE_LETTERS))).strip()[:KEY_LENGTH]


_NOT_WORD = re.compile(r"[\W_]+")
# Letters Unicode does not decompose into a base letter and an accent (casefolded).
BASE_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "ŀ": "l", "ŧ": "t", "æ": "ae",
     "œ": "oe", "þ": "th", "ð": "d", "ĸ": "k", "ŋ": "n"}
)  # fmt: skip
# The last code point sorts after every other in byte order (SQLite, PostgreSQL's "C"
# collations) and, being unassigned, after every assigned character in ICU's.
LAST_CHARACTER = "\U0010ffff"
KEY_LENGTH = 210  # a family name, a space, a given name (100 characters each), normalised


class Client(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_record",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Each consent: when, who recorded it, how it was given and a short note. Health data
    # is recorded only once both are given (clients.actions.record_intake).
    treatment_consent_at = models.DateTimeField(null=True, blank=True)
    treatment_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    treatment_consent_how = models.CharField(
        max_length=10, blank=True, choices=[(h, CONSENT_HOW_WORDS[h]) for h in CONSENT_HOWS]
    )
    treatment_consent_note = models.CharField(max_length=300, blank=True)
    data_consent_at = models.DateTimeField(null=True, blank=True)
    data_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data_consent_how = models.CharField(
        max_length=10, blank=True, choices=[(h, CONSENT_HOW_WORDS[h]) for h in CONSENT_HOWS]
    )
    data_consent_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The API's Idempotency-Key of the request that created the client, and a digest of
    # what it sent: a retry finds the client (per clinic) instead of creating a second one.
    # NULL when there was no key: NULLs never collide in the unique (clinic, create_key).
    create_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    create_digest = models.CharField(max_length=64, blank=True)
    # The name as it is searched (`name_key`), family name first and given name first,
    # kept up to date by `save`: the search is a prefix range on one of them.
    family_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False)
    given_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        # By the name as searched (family name, then given name, whatever the accents or
        # capitals: Łukasik among the L's, Ó Briain among the O's), then as entered.
        ordering = ["family_key", "id"]
        indexes = [
            # the client list, a page at a time in its order, its count, and the search by
            # family name first
            models.Index(fields=["clinic", "family_key", "id"], name="client_list_order"),
            models.Index(fields=["clinic", "given_key"], name="client_given_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "create_key"], name="one_client_per_create_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, with the search keys of the name as it now is."""
        self.set_search_keys()
        fields = kwargs.get("update_fields")
        if fields is not None and {"given_name", "family_name"} & set(fields):
            kwargs["update_fields"] = {*fields, "family_key", "given_key"}
        super().save(*args, **kwargs)

    def set_search_keys(self) -> None:
        """The search keys of the name as it now is (`save` and `bulk_create` call this)."""
        self.family_key = name_key(f"{self.family_name} {self.given_name}")
        self.given_key = name_key(f"{self.given_name} {self.family_name}")

    @property
    def audit_client(self) -> Client:
        return self

    @property
    def missing_consents(self) -> list[str]:
        """The consents not yet recorded ("treatment_consent", "data_consent")."""
        return [name for name in CONSENTS if getattr(self, f"{name}_at") is None]

    def has_open_red_flag(self) -> bool:
        """Any intake with a red flag not yet resolved by a referral or an override."""
        return self.intakes.filter(gate__in=Intake.CLOSED).exists()

    def age_on(self, day: Any) -> int:
        born = self.date_of_birth
        return int(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))


class Intake(models.Model):
    """What the client reports at intake, the safety questions, and the gate's state."""

    class Gate(models.TextChoices):
        CLEAR = "clear", "No red flags"
        BLOCKED = "blocked", "Blocked by a red flag"
        AWAITING = "awaiting", "Referral recorded, waiting for medical clearance"
        REFERRED = "referred", "Referral recorded"
        CLEARED = "cleared", "Medical clearance recorded"
        OVERRIDDEN = "overridden", "Overridden with a reason"

    # The gate's states that stop treatment planning, and those that opened it again.
    CLOSED = (Gate.BLOCKED, Gate.AWAITING)
    OPENED = (Gate.REFERRED, Gate.CLEARED, Gate.OVERRIDDEN)

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intakes")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    complaint = models.TextField()
    pain_drawing = models.JSONField(default=dict)  # concrete region id -> intensity 0..10
    history = models.TextField(blank=True)
    medications = models.TextField(blank=True)
    red_flag_answers = models.JSONField(default=dict)  # red flag id -> bool
    contraindication_answers = models.JSONField(default=dict)  # contraindication id -> bool
    factor_answers = models.JSONField(default=dict)  # intake question id -> bool | 0..3
    gate = models.CharField(max_length=20, choices=Gate.choices, default=Gate.CLEAR)
    gate_note = models.TextField(blank=True)  # the referral made, or the override's reason
    gate_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gate_at = models.DateTimeField(null=True, blank=True)
    # Medical clearance for ask-doctor conditions (high-risk pregnancy, cancer treatment...).
    clearance_note = models.TextField(blank=True)
    clearance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clearance_at = models.DateTimeField(null=True, blank=True)
    # Medical clearance of an emergency or urgent red flag after the referral: who cleared
    # (the clinician, in words), on what day, what they said; who recorded it and when.
    flag_clearance_from = models.CharField(max_length=200, blank=True)
    flag_clearance_on = models.DateField(null=True, blank=True)
    flag_clearance_note = models.TextField(blank=True)
    flag_clearance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flag_clearance_at = models.DateTimeField(null=True, blank=True)
    # The therapist's review of medicines the medications text names:
    # knowledge id (contraindication or red flag) -> {"answer": bool, "by": user id, "at": iso}
    medication_review = models.JSONField(default=dict, blank=True)
    # The API's Idempotency-Key of the request that recorded the intake (per client), and
    # a digest of what it sent, as on the client.
    create_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    create_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "create_key"], name="one_intake_per_create_key"
            )
        ]

    def __str__(self) -> str:
        return f"Intake of {self.client} on {self.recorded_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client

    @property
    def gate_closed(self) -> bool:
        """This intake's own red flag still stops planning (`clients.queries.gate` gives
        the answer that counts the client's other intakes too)."""
        return self.gate in self.CLOSED

    # Stored answers are read tolerantly: a clinic may swap its knowledge folder, and an
    # old record must still open. Writes are validated strictly by the actions.
    @property
    def drawing(self) -> dict[str, int]:
        """The pain drawing without regions the body map no longer has."""
        regions = load_default().regions
        return {r: int(i) for r, i in self.pain_drawing.items() if r in regions}

    @property
    def factors(self) -> dict[str, bool | int]:
        """The factor answers whose questions the knowledge base still has."""
        known = load_default().intake_questions
        return {k: v for k, v in self.factor_answers.items() if k in known}


class RevisionQuerySet(models.QuerySet[Any]):
    def newest_first(self) -> RevisionQuerySet:
        return self.select_related("changed_by").order_by("-changed_at", "-id")


class Revision(models.Model):
    """One correction of a record: the values before and after (field -> value, as JSON),
    who made it, when and why. Written by the actions, never changed afterwards."""

    previous = models.JSONField(default=dict)
    changed = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def lines(self) -> list[tuple[str, str, str]]:
        """(what, before, after) in words, one per changed field or answer."""
        return describe(self.previous, self.changed)


class ClientRevisionQuerySet(RevisionQuerySet):
    def of(self, client: Client) -> RevisionQuerySet:
        return self.of_client(client.pk)

    def of_client(self, client_id: int) -> RevisionQuerySet:
        return self.filter(client_id=client_id).newest_first()


class IntakeRevisionQuerySet(RevisionQuerySet):
    def of(self, intake: Intake) -> RevisionQuerySet:
        return self.filter(intake=intake).newest_first()


class ClientRevision(Revision):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="revisions")

    objects = ClientRevisionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Correction of {self.client} on {self.changed_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client


class IntakeRevision(Revision):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="revisions")

    objects = IntakeRevisionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Correction of {self.intake} on {self.changed_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.intake.client
