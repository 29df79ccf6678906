"""The public referral routes (included under /referrals/ by the root URLconf)."""

from django.urls import path

from . import views

urlpatterns = [
    path("start/", views.start, name="referral_start"),
    path("navigators/", views.navigators, name="referral_navigators"),
    path("questions/<slug:slug>/", views.question, name="referral_question"),
    path("check/", views.check, name="referral_check"),
    path("sent/", views.sent, name="referral_sent"),
    path("status/<str:token>/", views.status, name="referral_status"),
    path("status/<str:token>/withdraw/", views.withdraw, name="referral_withdraw"),
    path("mine/", views.mine, name="referrals_mine"),
    path("join/<str:uidb64>/<str:token>/", views.join, name="referrer_join"),
]
