"""The FHIR import: a Bundle's resources written through the same named actions the web
and the API use (clients.actions, visits.actions, visits.session_actions), in one
transaction, each at the moment the resource gives. A dry run does the same and rolls it
all back, so what it reports (created, matched by identifier, skipped, refused and why)
is what the import would do."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.core.kb import load_default
from myomap.interop import codes, fhir_outcomes
from myomap.interop.fhir_check import Checker
from myomap.interop.fhir_import_visit import VisitWriter, version_number
from myomap.interop.fhir_read import (
    Entry,
    codes_of,
    extension,
    identifier_value,
    moment,
    read_bundle,
)
from myomap.interop.fhir_report import Item, Report
from myomap.outcomes import actions as outcome_actions
from myomap.records.errors import ActionError
from myomap.visits import actions as visit_actions
from myomap.visits.models import Visit

# What of a Patient a client keeps (the rest is named in the report).
PATIENT_KEPT = {"resourceType", "id", "meta", "text", "identifier", "name", "birthDate", "telecom"}


class _DryRun(Exception):
    """Raised at the end of a dry run to roll every write back."""


def import_bundle(user: Any, text: str, *, now: dt.datetime, dry_run: bool) -> Report:
    report = Report(dry_run=dry_run)
    read = read_bundle(text)
    report.problems += read.problems
    if read.problems:
        return report
    kb = load_default()
    checked = Checker(read, kb).sort()
    report.items += [Item("skip", e.label, why) for e, why in checked.skipped]
    report.problems += checked.problems
    if checked.problems:
        return report
    writer = _Writer(user, read, checked.kinds, now, report)
    try:
        with transaction.atomic():
            writer.run()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ActionError as exc:
        report.items = [i for i in report.items if i.outcome != "create"]
        report.problems.append(f"{writer.current}: {exc.message}")
    return report


class _Writer(VisitWriter):
    # ------------------------------------------------------------------ the order of writes
    def run(self) -> None:
        for entry in self.of["person"]:
            self.person(entry)
        for entry in self.of["patient"]:
            self.patient(entry)
        for entry in self.of["consent"]:
            self.consent(entry)
        for entry in self.of["condition"]:
            self.condition(entry)
        encounters = sorted(
            self.of["encounter"], key=lambda e: moment(e.resource.period.start, self.now)
        )
        by_visit: dict[int, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
        for kind in ("palpation", "movement", "plan", "hold", "note"):
            for entry in self.of[kind]:
                target = self.read.target(entry.resource.encounter)
                assert target is not None  # checked
                by_visit[target.number][kind].append(entry)
        for entry in encounters:
            self.encounter(entry)
            parts = by_visit[entry.number]
            findings = sorted(
                parts["palpation"] + parts["movement"],
                key=lambda e: moment(e.resource.effectiveDateTime, self.now),
            )
            for finding in findings:
                self.finding(entry, finding)
            for plan in parts["plan"]:
                self.plan(entry, plan, findings)
            if parts["hold"]:
                self.session(entry, parts["hold"])
            for note in sorted(parts["note"], key=version_number):
                self.composition(entry, note)
        for entry in sorted(
            self.of["questionnaire"], key=lambda e: moment(e.resource.authored, self.now)
        ):
            self.questionnaire(entry)
        for entry in self.of["signature"]:
            self.note("match", entry, "the note's signature, recorded with it")
        for entry in self.of["score"]:
            self.note("match", entry, "the questionnaire's score, computed again from its answers")

    # ------------------------------------------------------------------ each kind
    def questionnaire(self, entry: Entry) -> None:
        self.start(entry)
        r = entry.resource
        client = self.row(r.subject)
        if (found := self._match(entry, client.outcomes, "response")) is not None:
            self.made[entry.number] = found
            return
        instrument = load_default().instruments[fhir_outcomes.instrument_of(r) or ""]
        answers, said = fhir_outcomes.answers_of(r)
        data = outcome_actions.ResponseData(
            instrument=instrument.id,
            answers=answers,
            activities=[said.get(item.id, "") for item in instrument.items] if said else (),
            visit=self.row(r.encounter) if r.encounter is not None else None,
            taken_at=moment(r.authored, self.now),
        )
        response = outcome_actions.record_response(self.ctx(r.authored, r.author), client, data)
        voided = fhir_outcomes.void_reason(r)
        if voided is not None:
            reason = f"Voided before the export: {voided}"[: outcome_actions.MAX_REASON]
            response = outcome_actions.void_response(self.ctx(None), response, reason)
        self.made[entry.number] = response
        how = ", voided (entered in error)" if voided is not None else ""
        self.note("create", entry, f"{instrument.short} answered, scored {response.total:g}{how}")

    def person(self, entry: Entry) -> None:
        from django.contrib.auth import get_user_model

        username = identifier_value(entry.resource, codes.identifier_system("user"))
        found = (
            get_user_model()
            .objects.filter(username=username, clinic_id=self.user.clinic_id, is_active=True)
            .exclude(role="client")
            .first()
            if username
            else None
        )
        if found is not None:
            self.people[entry.number] = found
            self.note("match", entry, f"staff member {found.get_username()}")
        else:
            who = self.user.get_username()
            self.note("skip", entry, f"not a staff member here: {who} is recorded instead")

    def patient(self, entry: Entry) -> None:
        self.start(entry)
        r = entry.resource
        name = r.name[0]
        given, family = " ".join(name.given), name.family
        pk = identifier_value(r, codes.identifier_system("client"))
        found = (
            Client.objects.visible_to(self.user)
            .filter(pk=int(pk), given_name=given, family_name=family, date_of_birth=r.birthDate)
            .first()
            if pk and pk.isdigit()
            else None
        )
        if found is not None:
            self.made[entry.number] = found
            self.matched.add(entry.number)
            self.note("match", entry, f"client {found.pk}, {found}")
            return
        twin = (
            Client.objects.visible_to(self.user)
            .filter(given_name=given, family_name=family, date_of_birth=r.birthDate)
            .values_list("pk", flat=True)
            .first()
        )
        telecom = {t.system: t.value for t in r.telecom or [] if t.value}
        data = client_actions.ClientData(
            given,
            family,
            r.birthDate,
            email=telecom.get("email", ""),
            phone=telecom.get("phone", ""),
        )
        client = client_actions.create_client(self.ctx(None), data)
        self.made[entry.number] = client
        left = sorted(set(r.model_dump(exclude_none=True)) - PATIENT_KEPT)
        dropped = f" (not kept: {', '.join(left)})" if left else ""
        other = pk and pk.isdigit() and Client.objects.visible_to(self.user).filter(pk=int(pk))
        if other and other.exists():
            dropped += f"; its identifier names client {pk}, who has another name or birth date"
        if twin is not None:
            dropped += (
                f"; client {twin} has the same name and birth date but no identifier of this"
                " file: this makes a second record (import a Bundle exported from here to match)"
            )
        self.note("create", entry, f"client {given} {family}{dropped}")

    def consent(self, entry: Entry) -> None:
        self.start(entry)
        r = entry.resource
        client = self.row(r.patient)
        name = codes.CONSENT_KINDS[codes_of(r.scope, codes.CONSENT_SCOPE)[0]]
        client.refresh_from_db()
        if getattr(client, f"{name}_at") is not None and self._is_matched(r.patient):
            self.note("match", entry, f"{name.replace('_', ' ')} already on record")
            return
        how = extension(r, codes.EXT_CONSENT_HOW)
        text = extension(r, codes.EXT_CONSENT_NOTE)
        verifier = (r.verification or [None])[0]
        data = client_actions.ConsentData(
            treatment_consent=name == "treatment_consent",
            data_consent=name == "data_consent",
            how=how.valueCode if how is not None else "written",
            note=text.valueString if text is not None else "",
        )
        who = verifier.verifiedWith if verifier is not None else None
        client_actions.record_consent(self.ctx(r.dateTime, who), client, data)
        self.note("create", entry, f"{name.replace('_', ' ')} of {client}")

    def condition(self, entry: Entry) -> None:
        self.start(entry)
        r = entry.resource
        client = self.row(r.subject)
        pains = [p for p in self.of["pain"] if self.read.target(p.resource.focus[0]) is entry]
        if (found := self._match(entry, client.intakes, "intake")) is not None:
            self.made[entry.number] = found
            for pain in pains:
                self.note("match", pain, "part of an intake already on record")
            return
        drawing = {}
        for pain in pains:
            region = codes_of(pain.resource.bodySite, codes.REGION)[0]
            drawing[region] = pain.resource.valueInteger
            self.note("create", pain, "a region of the pain drawing")
        history = extension(r, codes.EXT_HISTORY)
        medicines = extension(r, codes.EXT_MEDICATIONS)
        complaint = r.code.text or next(c.display for c in r.code.coding if c.display)
        answers: dict[str, dict[str, Any]] = {name: {} for name in codes.ANSWERS.values()}
        screening = extension(r, codes.EXT_SCREENING)
        for answer in screening.extension or [] if screening is not None else []:
            prefix, _, key = answer.url.partition(":")
            value = answer.valueBoolean if answer.valueBoolean is not None else answer.valueInteger
            if prefix in codes.ANSWERS:
                answers[codes.ANSWERS[prefix]][key] = value
        data = client_actions.IntakeData(
            complaint=complaint,
            pain_drawing=drawing,
            history=history.valueString if history is not None else "",
            medications=medicines.valueString if medicines is not None else "",
            **answers,
        )
        intake = client_actions.record_intake(self.ctx(r.recordedDate, r.recorder), client, data)
        self.made[entry.number] = intake
        self.note("create", entry, f"intake: {complaint[:60]} (safety gate: {intake.gate})")
        gate = extension(r, codes.EXT_GATE)
        if gate is not None:
            self.made[entry.number] = self.gate(entry, intake, gate)

    def gate(self, entry: Entry, intake: Any, gate: Any) -> Any:
        """Open the safety gate as it was opened, through the gate's own actions: the
        referral, the override or the clinician's clearance, and a doctor's clearance."""
        parts = {e.url: e for e in gate.extension or []}

        def value(url: str) -> Any:
            found = parts.get(url)
            if found is None:
                return None
            return next(
                (
                    getattr(found, k)
                    for k in ("valueString", "valueCode", "valueDate", "valueDateTime")
                    if getattr(found, k) is not None
                ),
                None,
            )

        state = value("state")
        note = value("note") or ""
        if state in ("referred", "awaiting") or (
            state == "cleared" and note and not note.startswith("(")
        ):
            at = value("at") if state != "cleared" else value("clearance-at")
            intake = client_actions.record_referral(self.ctx(at), intake, note)
        if state == "overridden":
            intake = client_actions.override_red_flag(self.ctx(value("at")), intake, note)
        if state == "cleared":
            data = client_actions.FlagClearanceData(
                cleared_by=value("cleared-by") or "",
                cleared_on=value("cleared-on"),
                said=value("clinician-said") or "",
            )
            intake = client_actions.record_flag_clearance(
                self.ctx(value("clearance-at")), intake, data
            )
        if value("doctor-clearance"):
            intake = client_actions.record_clearance(
                self.ctx(value("doctor-clearance-at")), intake, value("doctor-clearance")
            )
        if state not in (None, "clear", "blocked"):
            self.note("create", entry, f"the safety gate opened again: {state}")
        return intake

    def encounter(self, entry: Entry) -> None:
        self.start(entry)
        r = entry.resource
        client, intake = self.row(r.subject), self.row(r.reasonReference[0])
        found = self._match(
            entry, Visit.objects.visible_to(self.user).filter(client=client), "visit"
        )
        if found is not None:
            self.made[entry.number] = found
            return
        who = r.participant[0].individual if r.participant else None
        visit = visit_actions.start_visit(self.ctx(r.period.start, who), client, intake)
        self.made[entry.number] = visit
        self.note("create", entry, f"visit of {visit.started_at:%Y-%m-%d %H:%M}")


def audit_import(ctx: Context, report: Report, name: str) -> None:
    """One event in the clinic's log for an import that wrote something."""
    created = report.count("create")
    summary = f"FHIR import of {name}: {created} created, {report.count('match')} matched"
    record(ctx, AuditEvent.Action.CREATE, None, summary=summary)
