from django.urls import path

from myomap.bodymap import views

app_name = "bodymap"
urlpatterns = [
    path("", views.page, name="page"),
    path("candidates", views.candidates, name="candidates"),
]
