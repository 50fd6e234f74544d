from django.urls import path

from myomap.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.messages_page, name="messages"),
    path("wording/<str:name>/", views.wording_page, name="wording"),
    path("clients/<int:pk>/channels/", views.set_channels, name="channels"),
    path("stop/<str:token>/", views.stop, name="stop"),
]
