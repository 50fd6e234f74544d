from django.urls import path

from myomap.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("day/<str:day>/", views.day_view, name="day"),
    path("week/<str:day>/", views.week_view, name="week"),
    path("new/", views.book, name="book"),
    path("hours/", views.hours, name="hours"),
    path("feed/", views.feed_page, name="feed_page"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
    path("client-feed/<str:secret>.ics", views.client_feed, name="client_feed"),
    path("client/<int:pk>/feed/", views.client_feed_change, name="client_feed_change"),
    path("<int:pk>/calendar.ics", views.appointment_ics, name="ics"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/no-show/", views.no_show, name="no_show"),
    path("<int:pk>/start-visit/", views.start_visit, name="start_visit"),
]
