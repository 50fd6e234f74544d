"""Everyone's own password: change it when signed in, or have a one-time link e-mailed
when it is forgotten (Django's views, in the site's templates). The link is the same
`password_reset_confirm` page a clinic admin's invitation uses. The templates have names
of their own: the Django admin's, listed first, would win under Django's names."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse_lazy

from myomap.accounts import outbox, throttle
from myomap.audit.log import Context, client_address, record


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/change_password.html"
    success_url = reverse_lazy("password_change_done")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(Context.of(self.request), "update", form.user, summary="changed own password")
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/change_password_done.html"
)

logger = logging.getLogger("django.contrib.auth")


def throttled_link_message(wait: int) -> str:
    return (
        "Too many requests for a password link. For your security, try again in "
        f"{wait} minute{'s' if wait != 1 else ''}."
    )


class ForgottenPasswordForm(auth_forms.PasswordResetForm):
    """Django's form, its mail stamped with the account's clinic (so the clinic's outbox,
    and only that one, shows it) and each link it sends audited in that clinic's log."""

    request: HttpRequest | None = None

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(
            subject, body, from_email, [to_email], headers=outbox.stamp(user.clinic_id)
        )
        if self.request is not None:
            record(
                Context.of(self.request),
                "update",
                user,
                summary=f"asked for a password link for {user.get_username()} (forgotten password)",
            )
        try:
            message.send()
        except Exception:  # as Django's form does: the answer never tells known from unknown
            logger.exception("Failed to send password reset email to %s", user.pk)


class ForgottenPasswordView(auth_views.PasswordResetView):
    """Every request counts against the throttle, for a known address or not, so the
    answer (the same page either way) tells nobody which addresses have an account."""

    form_class = ForgottenPasswordForm
    template_name = "registration/forgotten_password.html"
    email_template_name = "registration/forgotten_password_email.txt"
    subject_template_name = "registration/forgotten_password_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        address = form.cleaned_data["email"]
        wait = throttle.begin(f"password link {address}", client_address(self.request))
        if wait:
            form.add_error(None, throttled_link_message(wait))
            return self.form_invalid(form)
        form.request = self.request
        return super().form_valid(form)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link's page (an invitation, an admin's reset, a forgotten password):
    the password set is audited in the account's clinic's log, by the account's owner."""

    template_name = "registration/set_password.html"

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        ctx = dataclasses.replace(Context.of(self.request), user=form.user)
        record(ctx, "update", form.user, summary="set own password with a one-time link")
        return response


password_reset = ForgottenPasswordView.as_view()
set_password = SetPasswordView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/forgotten_password_sent.html"
)
