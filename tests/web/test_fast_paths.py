"""The shortcuts that keep pages cheap give the same answers as the long way round.

- `{% url %}` and `|date` (myomap.web.templatetags.fast, loaded as template builtins)
  print exactly what Django's own print, for every format the templates use;
- the signed-in person is loaded with the two-factor gate's answers in the same query,
  and the gate still stops whoever must enter a code or set up an app;
- a visit, a note or an intake is checked against the person's clinic on its own row,
  never against a list of every client of the clinic;
- SQLite's planner statistics exist after a refresh, and the name search then reads the
  search indexes.

Alice is Lakeside's therapist, Bob Hilltop's, Dan a Lakeside client (personas)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.template import Context, Engine, engines
from django.template.defaultfilters import date as django_date
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st
from records_fixtures import LOW_BACK

from myomap.accounts.models import User
from myomap.audit.log import Context as AuditContext
from myomap.clients import queries as client_queries
from myomap.clients.models import Client, Intake
from myomap.records.planner import refresh_statistics
from myomap.visits import queries as visit_queries
from myomap.visits.models import Visit
from myomap.web.form_renderer import FastWidgets
from myomap.web.templatetags.fast import date as fast_date
from myomap.web.two_factor.backends import HAS_DEVICE

FORMATS = ("j M Y", "j M Y H:i", "j F Y", "Y-m-d H:i:s", "d/m/Y", "D j M", "l", "")
ZONES = ("UTC", "Europe/London", "Australia/Adelaide", "America/St_Johns")


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    zone=st.sampled_from(ZONES),
    fmt=st.sampled_from(FORMATS),
    aware=st.booleans(),
    as_date=st.booleans(),
)
def test_the_date_filter_prints_what_djangos_prints(
    when: dt.datetime, zone: str, fmt: str, aware: bool, as_date: bool
) -> None:
    value: dt.date = when.date() if as_date else when
    if aware and not as_date:
        value = when.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    try:
        expected = django_date(value, fmt)
    except TypeError as exc:  # a time format for a date: Django refuses, and so do we
        with pytest.raises(TypeError, match=str(exc)[:20]):
            fast_date(value, fmt)
        return
    assert fast_date(value, fmt) == expected
    # and through a template, where an aware time is first shown in the clinic's zone:
    # the project's templates (the builtin) against a plain engine (Django's filter)
    with timezone.override(zone):
        plain = Engine().from_string("{{ v|date:f }}").render(Context({"v": value, "f": fmt}))
        assert render("{{ v|date:f }}", v=value, f=fmt) == plain


def test_the_date_filter_takes_what_djangos_takes() -> None:
    assert render('{{ v|date:"j M Y" }}', v=None) == ""
    assert render('{{ v|date:"j M Y" }}', v="") == ""
    assert render('{{ v|date:"j M Y"|default:"—" }}', v=None) == "—"
    assert render('{{ v|date:"j M Y" }}', v="not a date") == ""
    assert render('{{ v|date:"jS \\o\\f F" }}', v=dt.date(2026, 12, 2)) == "2nd of December"


@pytest.mark.django_db
def test_a_page_prints_its_dates_as_before(alice: User) -> None:
    """The client list shows dates of birth as "14 Jul 1977", through the builtin."""
    Client.objects.create(
        clinic=alice.clinic,
        given_name="Gail",
        family_name="Fenwick",
        date_of_birth=dt.date(1977, 7, 14),
        created_by=alice,
    )
    browser = Browser()
    browser.force_login(alice)
    page = browser.get("/clients/").content.decode()
    assert "Fenwick, Gail" in page and "14 Jul 1977" in page


def test_the_url_tag_gives_djangos_urls_and_errors() -> None:
    assert render("{% url 'clients:detail' 7 %}") == reverse("clients:detail", args=[7])
    assert render("{% url 'clients:detail' pk=8 %}") == reverse("clients:detail", args=[8])
    assert render("{% url 'clients:list' as where %}[{{ where }}]") == "[/clients/]"
    assert render("{% url 'no:such' as where %}[{{ where }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no:such' %}")
    # the same name and arguments behind another prefix (a server under /myomap/)
    set_script_prefix("/myomap/")
    try:
        assert render("{% url 'clients:detail' 7 %}") == "/myomap/clients/7/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'clients:detail' 7 %}") == "/clients/7/"


@pytest.mark.django_db
def test_one_query_loads_the_person_and_the_gates_answers(alice: User) -> None:
    browser = Browser()
    browser.force_login(alice)
    with CaptureQueriesContext(connection) as captured:
        page = browser.get("/body-map/")
    assert page.status_code == 200 and "Body map" in page.content.decode()
    people = [q["sql"] for q in captured.captured_queries if "accounts_user" in q["sql"]]
    assert len(people) == 1 and "otp_totp_totpdevice" in people[0], people
    assert getattr(page.wsgi_request.user, HAS_DEVICE) is False


@pytest.mark.django_db
def test_the_gate_still_sends_a_therapist_to_set_up_two_factor(alice: User) -> None:
    alice.clinic.two_factor_required = True  # type: ignore[union-attr]
    alice.clinic.save()  # type: ignore[union-attr]
    browser = Browser()
    browser.force_login(alice)
    answer = browser.get("/clients/")
    assert answer.status_code == 302 and "/two-factor/" in answer["Location"]


@pytest.mark.django_db
def test_a_session_from_before_the_backend_stays_signed_in(alice: User) -> None:
    browser = Browser()
    browser.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    page = browser.get("/clients/")
    assert page.status_code == 200 and "<h1>Clients</h1>" in page.content.decode()


@pytest.fixture
def visit(alice: User) -> Visit:
    client = Client.objects.create(
        clinic=alice.clinic,
        given_name="Gail",
        family_name="Fenwick",
        date_of_birth=dt.date(1977, 7, 14),
        created_by=alice,
        treatment_consent_at=timezone.now(),
        treatment_consent_how="written",
        treatment_consent_by=alice,
        data_consent_at=timezone.now(),
        data_consent_how="written",
        data_consent_by=alice,
    )
    intake = Intake.objects.create(client=client, recorded_by=alice, complaint="Low back")
    return Visit.objects.create(client=client, intake=intake, therapist=alice)


@pytest.mark.django_db
def test_a_visit_is_checked_on_its_own_row(alice: User, bob: User, dan: User, visit: Visit) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = visit_queries.visit_for(alice, visit.pk)
        visit_queries.versions_for(alice, found)
        client_queries.intake_for(alice, visit.intake_id)
    assert found == visit
    for query in captured.captured_queries:
        assert "IN (SELECT" not in query["sql"], query["sql"]
    # and the rule itself is unchanged: another clinic's therapist and another client see
    # none; the client whose record it is sees it once it is linked to their login
    assert not Visit.objects.visible_to(bob).exists()
    assert not Visit.objects.visible_to(dan).exists()
    assert list(Visit.objects.visible_to(alice)) == [visit]
    Client.objects.filter(pk=visit.client_id).update(user=dan)
    assert list(Visit.objects.visible_to(dan)) == [visit]
    assert client_queries.intake_for(dan, visit.intake_id) == visit.intake
    assert not Visit.objects.visible_to(bob).exists()


@pytest.mark.django_db
def test_statistics_exist_after_a_refresh(alice: User) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own statistics")
    Client.objects.bulk_create(
        Client(
            clinic=alice.clinic,
            given_name=f"Ann{n}",
            family_name=f"Smith{n}",
            date_of_birth=dt.date(1970, 1, 1),
            created_by=alice,
        )
        for n in range(50)
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    refresh_statistics()
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'clients_client'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"client_given_key", "client_list_order"} <= indexes


# The client list's row template before the rows were written in one pass.
OLD_ROWS = """{% for row in clients %}{% with c=row %}
      <tr><td data-label="Name"><a href="{% url 'clients:detail' c.pk %}">{{ c.family_name }}, {{ c.given_name }}</a></td>
        <td data-label="Born">{{ c.date_of_birth|date:"j M Y" }}</td><td data-label="Visits">{{ row.visit_count }}</td>
        <td data-label="Last visit">{{ row.last_visit|date:"j M Y"|default:"—" }}</td></tr>
    {% endwith %}{% endfor %}"""  # noqa: E501


@pytest.mark.django_db
def test_the_client_rows_are_what_the_row_template_gave(alice: User, visit: Visit) -> None:
    odd = Client.objects.create(
        clinic=alice.clinic,
        given_name='<b>"Zoë"</b>',
        family_name="O'Neil & Søn",
        date_of_birth=dt.date(2001, 1, 9),
        created_by=alice,
    )
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # already 2 March in Adelaide
    Visit.objects.filter(pk=visit.pk).update(started_at=late)
    shown = client_queries.client_list_rows(alice).filter(pk__in=[odd.pk, visit.client_id])
    rows = client_queries.with_visits(list(shown))
    assert [row.pk for row in rows] == [visit.client_id, odd.pk]  # Fenwick, then O'Neil
    with timezone.override("Australia/Adelaide"):
        ours = render("{% load rows %}{% client_rows clients %}", clients=rows)
        theirs = Engine().from_string(OLD_ROWS).render(Context({"clients": rows}))
    assert " ".join(ours.split()) == " ".join(theirs.split())
    assert "O&#x27;Neil &amp; Søn, &lt;b&gt;&quot;Zoë&quot;&lt;/b&gt;" in ours
    assert "2 Mar 2026" in ours and "—" in ours


@pytest.mark.django_db
def test_an_expired_session_or_a_deactivated_person_is_signed_out(alice: User) -> None:
    from django.contrib.sessions.models import Session

    browser = Browser()
    browser.force_login(alice)
    assert browser.get("/clients/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    answer = browser.get("/clients/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")

    browser.force_login(alice)
    assert browser.get("/clients/").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)
    answer = browser.get("/clients/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- the form widgets
TEXTS = st.text(alphabet=st.sampled_from(list("aZ é<>&\"'0 9")), max_size=6)
ATTR_VALUES = st.one_of(st.booleans(), TEXTS, st.integers(-3, 30), st.just(SafeString("<b>")))
ATTRS = st.dictionaries(st.sampled_from(["id", "class", "min", "required", "data-x"]), ATTR_VALUES)
VALUES = st.one_of(st.none(), TEXTS, st.integers(0, 10), st.just(SafeString("a&amp;b")))
WIDGET_CLASSES = [
    forms.TextInput,
    forms.NumberInput,
    forms.HiddenInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.CheckboxInput,
    forms.Textarea,
]


@settings(max_examples=300, deadline=None)
@given(
    widget_class=st.sampled_from(WIDGET_CLASSES),
    name=TEXTS,
    value=VALUES,
    attrs=ATTRS,
)
def test_the_plain_widgets_print_what_djangos_templates_print(
    widget_class: type[forms.Widget], name: str, value: object, attrs: dict[str, object]
) -> None:
    widget = widget_class(attrs=attrs)
    ours = widget.render(name, value, renderer=FastWidgets())
    theirs = widget.render(name, value, renderer=DjangoTemplates())
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(
    choices=st.lists(
        st.one_of(
            st.tuples(TEXTS, TEXTS),
            st.tuples(TEXTS, st.lists(st.tuples(st.integers(0, 5), TEXTS), max_size=3)),
        ),
        max_size=4,
    ),
    value=st.one_of(st.none(), TEXTS, st.integers(0, 5)),
    attrs=ATTRS,
)
def test_the_select_prints_what_djangos_templates_print(
    choices: list[tuple[object, object]], value: object, attrs: dict[str, object]
) -> None:
    widget = forms.Select(attrs=attrs, choices=choices)
    assert widget.render("s", value, renderer=FastWidgets()) == widget.render(
        "s", value, renderer=DjangoTemplates()
    )


def test_other_widgets_are_left_to_django() -> None:
    widget = forms.RadioSelect(choices=[("a", "A <1>"), ("b", "B")])
    ours = widget.render("r", "a", renderer=FastWidgets())
    assert ours == widget.render("r", "a", renderer=DjangoTemplates())
    assert 'type="radio"' in ours and "A &lt;1&gt;" in ours


@pytest.mark.django_db
def test_the_palpation_form_is_on_the_assessment_page(alice: User, visit: Visit) -> None:
    Intake.objects.filter(pk=visit.intake_id).update(pain_drawing=LOW_BACK)
    browser = Browser()
    browser.force_login(alice)
    page = browser.get(f"/visits/{visit.pk}/").content.decode()
    assert '<input type="hidden" name="trigger_point" value="' in page
    assert '<input type="checkbox" name="taut_band" id="palp-taut_band"> taut band' in page
    assert '<select name="test"' in page and ">Choose…</option>" in page


# The assessment page's candidate rows before they were written in one pass.
OLD_CANDIDATES = """    {% for row in rows %}{% with c=row.candidate %}
      <li id="{{ c.trigger_point }}-{{ c.side }}" class="exam-item{% if row.found %} examined{% endif %}">
        <div class="candidate-head"><strong>{{ c.trigger_point_name }}</strong><span class="candidate-meta">{{ c.side }} · {{ c.score|floatformat:2 }}</span></div>
        <div class="candidate-why">{{ row.why }}</div>
        {% if row.found %}<p class="muted">Examined: {{ row.signs|default:"no signs" }}</p>{% endif %}
        {% if user.is_staff_member and not signed %}{% if row.open %}{% include "visits/_palpation_form.html" with name=c.trigger_point_name side=c.side %}{% endif %}
        <a class="palpate-link" href="?point={{ c.trigger_point|urlencode }}&amp;side={{ c.side|urlencode }}#{{ c.trigger_point }}-{{ c.side }}" data-point="{{ c.trigger_point }}" data-side="{{ c.side }}" data-name="{{ c.trigger_point_name }}" data-finding="{{ row.data }}"{% if row.open %} hidden{% endif %}>{% if row.found %}Change this finding{% else %}Record a finding{% endif %}<span class="visually-hidden"> for {{ c.trigger_point_name }}, {{ c.side }}</span></a>{% endif %}
      </li>
    {% endwith %}{% empty %}<li>{% if explanation.message %}{{ explanation.message }}{% elif visit.intake.drawing %}No candidates for this drawing in the knowledge base.{% else %}No candidates: the intake has no pain drawing.{% endif %}</li>{% endfor %}"""  # noqa: E501


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "dan", "signed"])
def test_the_candidate_rows_are_what_the_row_template_gave(
    who: str, alice: User, dan: User, visit: Visit
) -> None:
    from django.test import RequestFactory

    from myomap.visits import actions as visit_actions
    from myomap.visits import views as visit_views

    Intake.objects.filter(pk=visit.intake_id).update(pain_drawing=LOW_BACK)
    visit.refresh_from_db()
    first = visit_views._visit_context(visit)["rows"][0]["candidate"]
    visit_actions.record_palpation(
        AuditContext(user=alice, via="web"),
        visit,
        visit_actions.PalpationData(first.trigger_point, first.side, tender=6, taut_band=True),
    )
    visit = visit_queries.visit_for(alice, visit.pk)
    context = visit_views._visit_context(visit, chosen=(first.trigger_point, first.side))
    if who == "signed":
        context["signed"] = True
    request = RequestFactory().get("/")
    request.user = dan if who == "dan" else alice
    context |= {"user": request.user, "request": request}
    engine = engines["django"]
    ours = engine.from_string("{% load assessment %}{% candidate_rows %}").render(context, request)
    theirs = engine.from_string(OLD_CANDIDATES).render(context, request)
    # the CSRF token differs between two renders of the form: compare without it
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", " ".join(ours.split())) == token.sub("", " ".join(theirs.split()))
    assert first.trigger_point_name in ours and "Examined: " in ours
    assert ('class="palpation-form"' in ours) == (who == "alice")


def test_the_fast_paths_are_the_ones_in_use() -> None:
    """The builtins, the form renderer, the session engine, the sign-in backend and the
    SQLite backend above are what the project runs, not only what the tests call."""
    from django.conf import settings as django_settings
    from django.forms.renderers import get_default_renderer

    engine = engines["django"].engine  # type: ignore[attr-defined]
    assert any(lib.filters.get("date") is fast_date for lib in engine.template_builtins)
    assert isinstance(get_default_renderer(), FastWidgets)
    assert django_settings.SESSION_ENGINE == "myomap.accounts.sessions"
    assert django_settings.AUTHENTICATION_BACKENDS[0].endswith("SignInBackend")


def test_a_closing_sqlite_connection_refreshes_the_statistics(
    tmp_path: object, django_db_blocker: Any
) -> None:
    """A database file of its own, not the tests' one."""
    import sqlite3
    from pathlib import Path

    from myomap.records.sqlite.base import DatabaseWrapper

    path = Path(str(tmp_path)) / "grown.sqlite3"
    wrapper = DatabaseWrapper(
        {
            "NAME": str(path),
            "ENGINE": "myomap.records.sqlite",
            "OPTIONS": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        }
    )
    with django_db_blocker.unblock(), wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, clinic INT, k TEXT)")
        cursor.execute("CREATE INDEX c_key ON c (clinic, k)")
        cursor.executemany(
            "INSERT INTO c (clinic, k) VALUES (1, %s)", [(f"k{n}",) for n in range(500)]
        )
        cursor.execute("SELECT id FROM c WHERE clinic = 1 AND k >= 'k4' AND k < 'k5'")
        cursor.fetchall()
    with django_db_blocker.unblock():
        wrapper.close()
    stats = sqlite3.connect(path).execute("SELECT idx FROM sqlite_stat1").fetchall()
    assert ("c_key",) in stats
