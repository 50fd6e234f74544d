from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from myomap.accounts.forms import ThrottledAdminAuthenticationForm
from myomap.accounts.models import Clinic, User


class MyomapUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "clinic", "role", "is_active")
    list_filter = ("role", "clinic", "is_active")


# The admin's sign-in counts against the same login throttle as /accounts/login/.
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.register(User, MyomapUserAdmin)
admin.site.register(Clinic)
