"""Signing in to the admin: login throttling (django-axes), password-reset limits and the
second factor (django-otp) for city admins and navigators."""
