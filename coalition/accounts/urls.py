from django.urls import path

from coalition.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/me/", views.me, name="me"),
    path("accounts/me/sessions/<int:pk>/end/", views.end_session, name="end_session"),
    path("accounts/me/session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("accounts/me/sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("support/accounts/", views.manage, name="manage"),
    path("support/accounts/<int:pk>/disable/", views.disable, name="disable"),
]
