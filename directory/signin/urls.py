from django.urls import path

from . import views

urlpatterns = [
    path("setup/", views.second_factor_setup, name="second_factor_setup"),
    path("verify/", views.second_factor_verify_view, name="second_factor_verify"),
]
