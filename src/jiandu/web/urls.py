from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    # The public start page; a signed-in staff member sees their work home there.
    path("", views.start, name="start"),
    path("work/", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
]
