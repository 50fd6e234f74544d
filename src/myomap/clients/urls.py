from django.urls import path

from myomap.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/consent/", views.client_consent, name="consent"),
    path("<int:pk>/intake/new/", views.intake_new, name="intake_new"),
    path("intakes/<int:pk>/", views.intake_detail, name="intake"),
    path("intakes/<int:pk>/edit/", views.intake_edit, name="intake_edit"),
    path("intakes/<int:pk>/referral/", views.intake_referral, name="intake_referral"),
    path("intakes/<int:pk>/override/", views.intake_override, name="intake_override"),
    path("intakes/<int:pk>/clearance/", views.intake_clearance, name="intake_clearance"),
    path(
        "intakes/<int:pk>/red-flag-clearance/",
        views.intake_flag_clearance,
        name="intake_flag_clearance",
    ),
    path("intakes/<int:pk>/medications/", views.intake_medications, name="intake_medications"),
    path("intakes/<int:pk>/referral-letter/", views.referral_letter, name="referral_letter"),
    path(
        "intakes/<int:pk>/referral-letter.pdf",
        views.referral_letter_pdf,
        name="referral_letter_pdf",
    ),
]
