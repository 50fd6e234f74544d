from django.urls import path

from myomap.web import tokens

app_name = "tokens"
urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("new/", tokens.token_create, name="create"),
    path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
]
