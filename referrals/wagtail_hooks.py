"""Every admin registration of referrals: audit-log actions (so Wagtail's site history names
them), the inbox, queue and data-request URLs, and their menu items."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks

from . import admin_views as views
from .enums import Action


@hooks.register("register_log_actions")
def register_referral_log_actions(actions):
    actions.register_action("referrals.view", "View referral", "Referral opened")
    actions.register_action("referrals.referrer_invited", "Invite referrer", "Referrer invited")
    actions.register_action(
        "referrals.referrer_reinvited", "Re-send invitation", "Referrer invitation re-sent"
    )
    actions.register_action("referrals.referrer_removed", "Remove referrer", "Referrer removed")
    for action in Action:
        label = f"Referral: {action.label}"
        actions.register_action(f"referrals.{action.value}", label, action.label)


urls = [
    path("", views.inbox, name="inbox"),
    path("export.csv", views.inbox_csv, name="inbox_csv"),
    path("navigators/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/re-refer/", views.re_refer, name="re_refer"),
    path("counts/", views.counts, name="counts"),
    path("data/", views.data_request, name="data_request"),
    path("data/<str:reference>/export/", views.export, name="export"),
    path("data/<str:reference>/erase/", views.erase, name="erase"),
    path("link/<str:reference>/renew/", views.status_link_renew, name="status_link_renew"),
    path("referrers/", views.referrers, name="referrers"),
    path("referrers/invite/", views.referrer_invite, name="referrer_invite"),
    path("referrers/<int:pk>/resend/", views.referrer_resend, name="referrer_resend"),
    path("referrers/<int:pk>/remove/", views.referrer_remove, name="referrer_remove"),
]


@hooks.register("register_admin_urls")
def register_referral_admin_urls():
    return [path("referrals/", include((urls, "referrals_admin"), namespace="referrals_admin"))]


@hooks.register("register_admin_menu_item")
def register_referrals_menu_item():
    return views.ReferralsMenuItem(
        "Referrals", reverse("referrals_admin:inbox"), icon_name="mail", order=205
    )


@hooks.register("register_admin_menu_item")
def register_navigators_menu_item():
    return views.NavigatorsMenuItem(
        "Navigators' queue", reverse("referrals_admin:queue"), icon_name="group", order=206
    )


@hooks.register("register_admin_menu_item")
def register_counts_menu_item():
    return views.DataRequestsMenuItem(
        "Referral counts", reverse("referrals_admin:counts"), icon_name="table", order=208
    )


@hooks.register("register_admin_menu_item")
def register_data_requests_menu_item():
    return views.DataRequestsMenuItem(
        "Personal data requests",
        reverse("referrals_admin:data_request"),
        icon_name="user",
        order=207,
    )


@hooks.register("register_admin_menu_item")
def register_referrers_menu_item():
    return views.ReferrersMenuItem(
        "Referrers", reverse("referrals_admin:referrers"), icon_name="user", order=209
    )
