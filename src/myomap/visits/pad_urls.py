"""The client's feedback pad (`/pad/<token>/`): no login, the signed token is the
credential (`pad_tokens`, `pad_views`)."""

from django.urls import path

from myomap.visits import pad_views

app_name = "pad"
urlpatterns = [
    path("<str:token>/", pad_views.pad, name="pad"),
    path("<str:token>/state", pad_views.pad_state, name="state"),
    path("<str:token>/events", pad_views.pad_events, name="events"),
]
