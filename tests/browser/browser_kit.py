"""What the browser tests share: the device sizes, a browser signed in as someone, and the
listener that keeps each content-security-policy violation for the test to read."""

from __future__ import annotations

from typing import Any

from django.test import Client as DjangoClient

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1366, "height": 1000}

# Runs in every page before its own scripts (Playwright injects it past the policy): each
# violation the browser reports is kept in window.__violations.
CSP_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def sign_in_context(context: Any, live_server: Any, user: Any) -> None:
    """Give a browser context `user`'s session cookie (a forced login, no sign-in page)."""
    session = DjangoClient()
    session.force_login(user)
    cookie = session.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def signed_in(
    browser: Any,
    live_server: Any,
    user: Any,
    viewport: dict[str, int],
    *,
    touch: bool = True,
    mobile: bool = True,
    javascript: bool = True,
    listen: bool = False,
) -> Any:
    """A new browser context of this size, signed in as `user`; with `listen`, the policy
    violations of every page are kept (CSP_LISTENER)."""
    context = browser.new_context(
        viewport=viewport, has_touch=touch, is_mobile=mobile, java_script_enabled=javascript
    )
    sign_in_context(context, live_server, user)
    if listen:
        context.add_init_script(CSP_LISTENER)
    return context
