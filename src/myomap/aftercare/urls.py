from django.urls import path

from myomap.aftercare import views

app_name = "aftercare"
urlpatterns = [
    path("check-in/<str:secret>/", views.check_in, name="check_in"),
    path("relief/<str:secret>/", views.relief_question, name="relief"),
    path("relief/<str:secret>/book/", views.relief_book, name="relief_book"),
    path("soreness/<str:secret>/", views.soreness_again, name="soreness"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/seen/", views.seen, name="seen"),
]
