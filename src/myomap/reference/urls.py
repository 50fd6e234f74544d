from django.urls import path

from myomap.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.index, name="index"),
    path("muscles/<slug:muscle_id>/", views.muscle, name="muscle"),
    path("exercises/<slug:exercise_id>/", views.exercise, name="exercise"),
    path("exercises/<slug:exercise_id>/illustration.svg", views.illustration, name="illustration"),
    path("regions/<slug:region_id>/", views.region, name="region"),
    path("safety/", views.safety, name="safety"),
]
