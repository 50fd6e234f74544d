"""The site's /admin/ shows no two-factor device: django-otp registers admin pages for its
TOTP and static devices, which list every person's devices, and an admin could copy a
key or read recovery codes there. Devices are set up and removed in the app
(web/two_factor): by their owner, with a code, or by the clinic admin, audited.

This module is found by the admin's autodiscovery after django-otp's own (myomap.web comes
after it in INSTALLED_APPS)."""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
