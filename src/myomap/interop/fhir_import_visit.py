"""The import's writes of a visit's parts: findings, the plan, the guided session's holds
and the note's versions, each through its action. A part of `fhir_import._Writer`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from myomap.audit.log import Context
from myomap.core.steps import StepInput
from myomap.interop import codes
from myomap.interop.build import narrative_text
from myomap.interop.fhir_read import Entry, Read, codes_of, extension, identifier_value, moment
from myomap.interop.fhir_report import Item, Report
from myomap.visits import actions as visit_actions
from myomap.visits import session_actions


class WriterBase:
    """What every write of an import shares: the entries by kind, the rows made or
    matched, who acts and at what moment, and the report."""

    def __init__(
        self, user: Any, read: Read, kinds: dict[int, str], now: dt.datetime, report: Report
    ) -> None:
        self.user, self.read, self.now, self.report = user, read, now, report
        self.of: dict[str, list[Entry]] = defaultdict(list)
        for entry in read.entries:
            if entry.number in kinds:
                self.of[kinds[entry.number]].append(entry)
        self.made: dict[int, Any] = {}  # entry number -> the row it became or matched
        self.matched: set[int] = set()
        self.current = ""
        self.people: dict[int, Any] = {}

    # ------------------------------------------------------------------ helpers
    def ctx(self, when: Any, person: Any = None) -> Context:
        actor = self.actor(person)
        return Context(user=actor, via="cli", now=moment(when, self.now))

    def actor(self, reference: Any) -> Any:
        """The staff member of this clinic a Practitioner names (by user name), else the
        person importing."""
        target = self.read.target(reference) if reference is not None else None
        if target is None or target.kind != "Practitioner":
            return self.user
        return self.people.get(target.number, self.user)

    def row(self, reference: Any) -> Any:
        target = self.read.target(reference)
        return self.made.get(target.number) if target is not None else None

    def note(self, outcome: str, entry: Entry, why: str = "") -> None:
        self.report.items.append(Item(outcome, entry.label, why))

    def start(self, entry: Entry) -> None:
        self.current = entry.label

    # ------------------------------------------------------------------ matching
    def _is_matched(self, reference: Any) -> bool:
        target = self.read.target(reference)
        return target is not None and target.number in self.matched

    def _match(self, entry: Entry, rows: Any, kind: str) -> Any:
        pk = identifier_value(entry.resource, codes.identifier_system(kind))
        found = rows.filter(pk=int(pk)).first() if pk and pk.isdigit() else None
        if found is not None:
            self.matched.add(entry.number)
            self.note("match", entry, f"{kind} {found.pk} already on record")
        return found


class VisitWriter(WriterBase):
    def finding(self, encounter: Entry, entry: Entry) -> None:
        self.start(entry)
        visit, r = self.made[encounter.number], entry.resource
        if encounter.number in self.matched:
            self.note("match", entry, "part of a visit already on record")
            return
        ctx = self.ctx(r.effectiveDateTime)
        if codes_of(r.code, codes.EXAM_TEST):
            test = codes_of(r.code, codes.EXAM_TEST)[0]
            side = (codes_of(r.bodySite, codes.SIDE) or [""])[0]
            result = (
                "positive"
                if codes_of(r.valueCodeableConcept, codes.SNOMED)[0] == codes.POSITIVE[0]
                else "negative"
            )
            note = r.note[0].text if r.note else ""
            visit_actions.record_movement(ctx, visit, test, side, result, note)
            self.note("create", entry, f"movement test {test} {side} {result}".replace("  ", " "))
            return
        values: dict[str, Any] = {}
        for component in r.component or []:
            code = (codes_of(component.code, codes.FINDING) or [""])[0]
            if code == codes.TENDER[0]:
                values["tender"] = component.valueInteger
            elif code == codes.PPT[0] and component.valueQuantity is not None:
                values["ppt"] = float(Decimal(component.valueQuantity.value))
            for attr, (flag, _) in codes.FLAGS.items():
                if code == flag:
                    values[attr] = bool(component.valueBoolean)
        point = codes_of(r.bodySite, codes.TRIGGER_POINT)[0]
        side = codes_of(r.bodySite, codes.SIDE)[0]
        data = visit_actions.PalpationData(point, side, **values)
        visit_actions.record_palpation(ctx, visit, data)
        self.note("create", entry, f"palpation of {point} ({side})")

    def plan(self, encounter: Entry, entry: Entry, findings: list[Entry]) -> None:
        self.start(entry)
        visit = self.made[encounter.number]
        if encounter.number in self.matched:
            self.note("match", entry, "part of a visit already on record")
            return
        steps = []
        for activity in entry.resource.activity:
            detail = activity.detail
            parts = {e.url: e for e in extension(detail, codes.EXT_PLAN_STEP).extension}
            steps.append(
                StepInput(
                    trigger_point=parts["trigger-point"].valueCode,
                    side=parts["side"].valueCode,
                    technique=codes_of(detail.code, codes.TECHNIQUE)[0],
                    pressure=parts["pressure"].valueCode,
                    hold_seconds=parts["hold-seconds"].valueInteger,
                    repetitions=parts["repetitions"].valueInteger,
                    reason=(detail.reasonCode[0].text or "") if detail.reasonCode else "",
                )
            )
        last = (
            findings[-1].resource.effectiveDateTime if findings else encounter.resource.period.start
        )
        visit_actions.save_plan(self.ctx(last), visit, steps)
        self.note("create", entry, f"treatment plan of {len(steps)} steps")

    def session(self, encounter: Entry, holds: list[Entry]) -> None:
        """The holds replayed as a guided session's events, in their order."""
        visit = self.made[encounter.number]
        if encounter.number in self.matched:
            for entry in holds:
                self.note("match", entry, "part of a visit already on record")
            return
        holds = sorted(holds, key=lambda e: moment(e.resource.performedPeriod.start, self.now))
        first, last = holds[0].resource, holds[-1].resource
        who = first.performer[0].actor if first.performer else None
        self.start(holds[0])
        session_actions.start_session(self.ctx(first.performedPeriod.start, who), visit)
        planned = {(s.trigger_point, s.side) for s in visit.plan_steps.all()}
        events: list[session_actions.EventData] = []
        current = None
        for entry in holds:
            r = entry.resource
            site = r.bodySite[0]
            point = (codes_of(site, codes.TRIGGER_POINT)[0], codes_of(site, codes.SIDE)[0])
            start = moment(r.performedPeriod.start, self.now)
            end = moment(r.performedPeriod.end, self.now)
            where = {"trigger_point": point[0], "side": point[1]}
            n = len(events)
            if point not in planned:
                events.append(
                    session_actions.EventData(f"import-{n}-add", "add-point", start, where)
                )
                planned.add(point)
            if point != current:
                events.append(
                    session_actions.EventData(f"import-{n}-go", "go-to-point", start, where)
                )
                current = point
            hold = {
                "technique": codes_of(r.code, codes.TECHNIQUE)[0],
                "pressure": extension(r, codes.EXT_PRESSURE).valueCode,
            }
            events.append(session_actions.EventData(f"import-{n}-hold", "start-hold", start, hold))
            events.append(session_actions.EventData(f"import-{n}-release", "release-hold", end, {}))
        end_at = last.performedPeriod.end
        session_actions.record_events(self.ctx(end_at, who), visit, events)
        session_actions.end_session(self.ctx(end_at, who), visit)
        for entry in holds:
            self.note("create", entry, "a hold of the guided session")

    def composition(self, encounter: Entry, entry: Entry) -> None:
        self.start(entry)
        visit, r = self.made[encounter.number], entry.resource
        if encounter.number in self.matched:
            self.note("match", entry, "part of a visit already on record")
            return
        texts = {name: "" for name in codes.SECTIONS}
        for section in r.section or []:
            code = (codes_of(section.code, codes.LOINC) or [""])[0]
            if code in codes.SECTION_FIELDS:
                texts[codes.SECTION_FIELDS[code]] = narrative_text(
                    section.text.div if section.text else ""
                )
        author = r.author[0] if r.author else None
        attester = (r.attester or [None])[0]
        signed_at = attester.time if attester is not None and attester.time else r.date
        written = r.date if r.status != "final" else signed_at
        reason = extension(r, codes.EXT_AMENDMENT_REASON)
        if version_number(entry) > 1:
            why = reason.valueString if reason is not None else "amended (imported)"
            version = visit_actions.amend_note(self.ctx(written, author), visit, why)
        else:
            version = visit_actions.draft_note(self.ctx(written, author), visit)
        version = visit_actions.save_note(
            self.ctx(written, author), visit, revision=version.revision, **texts
        )
        number = f"version {version.number} of the note"
        if r.status == "final":
            signer = attester.party if attester is not None else author
            visit_actions.sign_note(self.ctx(signed_at, signer), visit, revision=version.revision)
            self.note("create", entry, f"{number}, signed")
        else:
            self.note("create", entry, f"{number}, a draft")


def version_number(entry: Entry) -> int:
    found = extension(entry.resource, codes.EXT_NOTE_VERSION)
    return int(found.valueInteger) if found is not None and found.valueInteger else 1
