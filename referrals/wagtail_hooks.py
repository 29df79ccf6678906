"""Every admin registration of referrals: audit-log actions (so Wagtail's site history names
them), the inbox and queue URLs and menu item."""

from __future__ import annotations

from wagtail import hooks

from .enums import Action


@hooks.register("register_log_actions")
def register_referral_log_actions(actions):
    actions.register_action("referrals.view", "View referral", "Referral opened")
    for action in Action:
        actions.register_action(
            f"referrals.{action.value}", f"Referral: {action.label}", action.label
        )
