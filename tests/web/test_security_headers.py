"""The response headers a clinic's network needs: nothing a signed-in user sees is stored by
a browser or a proxy, every page carries the Content-Security-Policy and none needs an
inline script or style to work under it, and Django's deployment check is clean with the
production environment of docs/deployment.md.

The world is records_fixtures.build_world() (Dan Marlowe's record at Lakeside) with the
personas of tests/personas.py."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as Browser
from django.test import RequestFactory, override_settings
from records_fixtures import World, build_world

from myomap.core.kb.loader import load_default
from myomap.web import views

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


@pytest.fixture
def world() -> World:
    return build_world()


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def sha256_source(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


class InlineCode(HTMLParser):
    """What a page would need 'unsafe-inline' for: executable inline scripts, event-handler
    attributes, style attributes, javascript: links; and the text of its <style> blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.refused.append(f"<{tag} {name}=...>")
            if name == "style":
                self.refused.append(f'<{tag} style="{value}">')
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.refused.append(f"<{tag} {name}={value}>")
        if tag == "script" and found.get("type") != "application/json":
            self._in, self._text = ("script-src" if found.get("src") else "script"), []
        elif tag == "style":
            self._in, self._text = "style", []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text)
        if tag == "script" and self._in == "script":
            self.refused.append(f"<script>{text.strip()[:60]}</script>")
        elif tag == "script" and self._in == "script-src" and text.strip():
            self.refused.append(f"<script src> with inline text {text.strip()[:60]}")
        elif tag == "style" and self._in == "style":
            self.styles.append(text)
        if tag in ("script", "style"):
            self._in = None


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_the_checker_finds_inline_scripts_handlers_and_style_attributes():
    found = inline_code(
        '<script>alert(1)</script><script type="application/json">{"a": 1}</script>'
        '<script src="/static/a.js"></script>'
        '<a onclick="go()" style="color:red" href="javascript:go()">x</a><style>p{}</style>'
    )
    assert found.refused == [
        "<script>alert(1)</script>",
        "<a onclick=...>",
        '<a style="color:red">',
        "<a href=javascript:go()>",
    ]
    assert found.styles == ["p{}"]


# ------------------------------------------------------------------ every page of the app
KB = load_default()
MUSCLE, EXERCISE = next(iter(KB.muscles)), next(iter(KB.exercises))
REGION = next(iter(KB.region_specs))

# name -> (persona, path, the status the page answers with); paths take World.ids.
PAGES: dict[str, tuple[str, str, int]] = {
    "login": ("anonymous", "/accounts/login/", 200),
    "client list": ("alice", "/clients/", 200),
    "new client": ("alice", "/clients/new/", 200),
    "client": ("alice", "/clients/{client}/", 200),
    "client edit": ("alice", "/clients/{client}/edit/", 200),
    "client, as the client himself": ("dan", "/clients/{client}/", 200),
    "intake": ("alice", "/clients/intakes/{intake}/", 200),
    "intake with a red flag": ("alice", "/clients/intakes/{red_intake}/", 200),
    "intake form": ("alice", "/clients/{client}/intake/new/", 200),
    "intake correction form": ("alice", "/clients/intakes/{intake}/edit/", 200),
    "referral letter": ("alice", "/clients/intakes/{red_intake}/referral-letter/", 200),
    "visit": ("alice", "/visits/{visit}/", 200),
    "signed visit": ("alice", "/visits/{signed_visit}/", 200),
    "empty visit": ("alice", "/visits/{empty_visit}/", 200),
    "plan": ("alice", "/visits/{visit}/plan/", 200),
    "note": ("alice", "/visits/{visit}/note/", 200),
    "signed note": ("alice", "/visits/{signed_visit}/note/", 200),
    "body map": ("alice", "/body-map/", 200),
    "knowledge": ("alice", "/knowledge/", 200),
    "knowledge: a muscle": ("alice", f"/knowledge/muscles/{MUSCLE}/", 200),
    "knowledge: an exercise": ("alice", f"/knowledge/exercises/{EXERCISE}/", 200),
    "knowledge: a region": ("alice", f"/knowledge/regions/{REGION}/", 200),
    "knowledge: safety": ("alice", "/knowledge/safety/", 200),
    "audit log": ("carol", "/audit/", 200),
    "404 page": ("alice", "/no-such-page/", 404),
    "403 page": ("erin", "/clients/", 403),
    "API docs": ("alice", "/api/docs", 200),
    "admin sign-in": ("anonymous", "/admin/login/", 200),
}


def fetch(world: World, name: str) -> Any:
    persona, path, status = PAGES[name]
    response = world.web(persona).get(path.format(**world.ids))
    assert response.status_code == status, name
    return response


@pytest.mark.parametrize("name", PAGES)
def test_every_page_works_with_no_inline_script_or_style_attribute(world, name):
    response = fetch(world, name)
    html = response.content.decode()
    found = inline_code(html)
    assert found.refused == [], name
    # The one inline stylesheet is the body map's own, and the policy names its hash.
    allowed = directives(response["Content-Security-Policy"])["style-src"]
    for text in found.styles:
        assert sha256_source(text) in allowed, f"{name}: an inline <style> the policy refuses"


TEMPLATES = sorted((ROOT / "src" / "myomap").glob("*/templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_holds_an_inline_script_or_style(template: Path):
    # Also the pages the list above does not open (a form shown after an error, a new page).
    found = inline_code(template.read_text(encoding="utf-8"))
    assert found.refused == [] and found.styles == [], template.relative_to(ROOT)


def test_the_500_page_has_no_inline_script_either():
    response = views.server_error(RequestFactory().get("/clients/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert inline_code(html).refused == []
    assert inline_code(html).styles == []


@pytest.mark.parametrize("name", ["login", "client", "body map", "404 page", "API docs"])
def test_pages_carry_the_content_security_policy(world, name):
    response = fetch(world, name)
    policy = directives(response["Content-Security-Policy"])
    assert {k: v for k, v in policy.items() if k != "style-src"} == POLICY
    assert policy["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["style-src"][1:])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_body_maps_own_stylesheet_is_the_one_inline_style_allowed(world):
    response = fetch(world, "body map")
    html = response.content.decode()
    styles = inline_code(html).styles
    assert len(styles) == 1 and ".myomap-bodymap .region" in styles[0]
    style_src = directives(response["Content-Security-Policy"])["style-src"]
    assert style_src == ["'self'", sha256_source(styles[0])]


# ------------------------------------------------------------------ no-store when signed in
def assert_not_stored(response: Any) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_a_signed_in_page_is_never_stored(world):
    response = fetch(world, "client")
    assert_not_stored(response)
    assert "Marlowe" in response.content.decode()


def test_an_error_page_to_a_signed_in_user_is_never_stored_either(world):
    response = fetch(world, "404 page")
    assert_not_stored(response)


@pytest.mark.parametrize(
    "browse",
    [
        pytest.param(lambda world: world.api("alice"), id="token"),
        pytest.param(lambda world: world.web("alice"), id="session"),
    ],
)
def test_an_api_answer_to_a_signed_in_user_is_never_stored(
    world, browse: Callable[[World], Browser]
):
    response = browse(world).get(f"/api/clients/{world.client.pk}")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Marlowe"
    assert_not_stored(response)


def test_a_view_that_sets_its_own_caching_is_not_stored_for_a_signed_in_user(world):
    # The exercise illustration asks for an hour of caching; a signed-in answer never is.
    response = world.web("alice").get(f"/knowledge/exercises/{EXERCISE}/illustration.svg")
    assert response.status_code == 200
    assert_not_stored(response)


def test_a_static_file_keeps_its_caching_for_a_signed_in_user(world):
    response = world.web("alice").get("/static/myomap/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age=" in response["Cache-Control"]
    assert "Pragma" not in response


# ------------------------------------------------------------------ the production settings
def documented_environment() -> dict[str, str]:
    """The lines of docs/deployment.md's production environment file."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n# /etc/myomap/myomap.env\n(.*?)```", text, re.S)
    assert block, "docs/deployment.md has no production environment block"
    pairs = (line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def run_with(
    environment: dict[str, str], tmp_path: Path, *args: str
) -> subprocess.CompletedProcess:
    """A `myomap` command with only these settings (plus a secret key and a data folder of
    the test's own instead of the documented paths)."""
    key = tmp_path / "secret_key"
    key.write_text(base64.urlsafe_b64encode(os.urandom(48)).decode(), encoding="utf-8")
    # Not this test run's settings (nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE).
    ours = ("MYOMAP_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env |= environment
    if "MYOMAP_SECRET_KEY_FILE" in environment:
        env["MYOMAP_SECRET_KEY_FILE"] = str(key)
    env["MYOMAP_DATA_DIR"] = str(tmp_path / "data")
    env["MYOMAP_CACHE_DIR"] = str(tmp_path / "cache")
    exe = Path(sys.executable).parent / "myomap"
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


SHOW_SETTINGS = (
    "from django.conf import settings as s; import json; print(json.dumps({n: getattr(s, n, None)"
    " for n in ('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
    " 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
    " 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SECURE_CONTENT_TYPE_NOSNIFF',"
    " 'SECURE_REFERRER_POLICY', 'X_FRAME_OPTIONS', 'SECURE_REDIRECT_EXEMPT')}))"
)


def settings_with(environment: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    done = run_with(environment, tmp_path, "manage", "shell", "-c", SHOW_SETTINGS)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    done = run_with(
        documented_environment(), tmp_path, "manage", "check", "--deploy", "--fail-level", "INFO"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_behind_the_https_proxy_browsers_keep_to_https_for_a_year(tmp_path):
    got = settings_with(documented_environment(), tmp_path)
    assert got["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert got["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["SESSION_COOKIE_SECURE"] is True and got["CSRF_COOKIE_SECURE"] is True
    assert got["SESSION_COOKIE_HTTPONLY"] is True and got["CSRF_COOKIE_HTTPONLY"] is True
    assert got["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert got["SECURE_REFERRER_POLICY"] == "same-origin"
    assert got["X_FRAME_OPTIONS"] == "DENY"


def test_the_https_settings_are_each_configurable(tmp_path):
    got = settings_with(
        {
            "MYOMAP_BEHIND_HTTPS_PROXY": "true",
            "MYOMAP_HSTS_SECONDS": "300",
            "MYOMAP_HSTS_INCLUDE_SUBDOMAINS": "true",
            "MYOMAP_SSL_REDIRECT": "false",
        },
        tmp_path,
    )
    assert got["SECURE_HSTS_SECONDS"] == 300
    assert got["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert got["SECURE_SSL_REDIRECT"] is False


def test_secure_cookies_alone_believe_no_forwarded_header_and_do_not_redirect(tmp_path):
    got = settings_with({"MYOMAP_SECURE_COOKIES": "true"}, tmp_path)
    assert got["SESSION_COOKIE_SECURE"] is True and got["CSRF_COOKIE_SECURE"] is True
    assert got["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert got["SECURE_PROXY_SSL_HEADER"] is None
    assert got["SECURE_SSL_REDIRECT"] is False


def test_on_plain_http_nothing_asks_for_https(tmp_path):
    got = settings_with({}, tmp_path)
    assert got["SECURE_HSTS_SECONDS"] == 0
    assert got["SECURE_SSL_REDIRECT"] is False
    assert got["SECURE_PROXY_SSL_HEADER"] is None
    assert got["SESSION_COOKIE_SECURE"] is False


def test_behind_the_proxy_http_is_redirected_and_https_answers_with_hsts(tmp_path, alice):
    got = settings_with(documented_environment(), tmp_path)
    names = ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")
    production = {name: got[name] for name in names}
    production["SECURE_PROXY_SSL_HEADER"] = tuple(got["SECURE_PROXY_SSL_HEADER"])
    with override_settings(**production):
        browser = Browser()
        browser.force_login(alice)
        plain = browser.get("/clients/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/clients/"
        forwarded = browser.get("/clients/", headers={"X-Forwarded-Proto": "https"})
        assert forwarded.status_code == 200
        assert forwarded["Strict-Transport-Security"] == "max-age=31536000"
        assert "Alice Moss" in forwarded.content.decode()
        # A health check from the machine itself, past the proxy, is answered as it asked.
        health = Browser().get("/healthz")
        assert health.status_code == 200
        assert "Strict-Transport-Security" not in health


def test_the_api_docs_description_has_no_key_twice(world):
    # Swagger UI refuses a description with a repeated key ("duplicated mapping key") and
    # shows nothing; Python's json would quietly keep the last one.
    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
        return dict(pairs)

    response = world.web("alice").get("/api/openapi.json")
    assert response.status_code == 200
    description = json.loads(response.content, object_pairs_hook=no_repeats)
    assert description["info"]["title"] == "Myomap API"
