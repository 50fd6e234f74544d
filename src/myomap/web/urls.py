from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from myomap.accounts.forms import ThrottledAuthenticationForm
from myomap.api.api import api
from myomap.web import clinic, passwords, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", include("myomap.web.token_urls")),
    path("accounts/two-factor/", include("myomap.web.two_factor.urls")),
    path("accounts/clinic/data/", include("myomap.clinicdata.urls")),
    path("accounts/clinic/", include("myomap.web.clinic_urls")),
    path("accounts/outbox/", clinic.outbox_page, name="outbox"),
    path("accounts/jobs/", include("myomap.jobs.urls")),
    path("accounts/password/", passwords.password_change, name="password_change"),
    path("accounts/password/done/", passwords.password_change_done, name="password_change_done"),
    path("accounts/password/forgotten/", passwords.password_reset, name="password_reset"),
    path(
        "accounts/password/forgotten/sent/",
        passwords.password_reset_done,
        name="password_reset_done",
    ),
    # The one-time link `myomap admin create` prints (Django's password-reset confirmation).
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.set_password,
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/set_password_done.html"
        ),
        name="password_reset_complete",
    ),
    path("body-map/", include("myomap.bodymap.urls")),
    path("knowledge/", include("myomap.reference.urls")),
    path("clients/<int:pk>/outcomes/", include("myomap.outcomes.urls")),
    path("clients/", include("myomap.clients.urls")),
    path("visits/", include("myomap.visits.urls")),
    path("pad/", include("myomap.visits.pad_urls")),
    path("audit/", include("myomap.audit.urls")),
    path("appointments/", include("myomap.appointments.urls")),
    path("aftercare/", include("myomap.aftercare.urls")),
    path("messages/", include("myomap.messaging.urls")),
    path("me/data/", include("myomap.clinicdata.own_urls")),
    path("", include("myomap.program.urls")),
    path("api/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
]

handler403 = views.forbidden
handler404 = views.not_found
handler500 = views.server_error
