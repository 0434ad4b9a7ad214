from django.urls import path

from coalition.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe_link, name="unsubscribe"),
]
