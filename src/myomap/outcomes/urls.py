from django.urls import path

from myomap.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("<slug:instrument>/", views.entry, name="entry"),
]
