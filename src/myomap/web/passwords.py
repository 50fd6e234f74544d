"""Everyone's own password: change it when signed in, or have a one-time link e-mailed
when it is forgotten (Django's views, in the site's templates). The link is the same
`password_reset_confirm` page a clinic admin's invitation uses. The templates have names
of their own: the Django admin's, listed first, would win under Django's names."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy

from myomap.audit.log import Context, record


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
password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/forgotten_password.html",
    email_template_name="registration/forgotten_password_email.txt",
    subject_template_name="registration/forgotten_password_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/forgotten_password_sent.html"
)
