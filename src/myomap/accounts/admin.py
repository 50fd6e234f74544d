from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from myomap.accounts.forms import ThrottledAdminAuthenticationForm
from myomap.accounts.models import Clinic, User
from myomap.accounts.queries import email_in_use


class MyomapUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    """An address belongs to one account of any clinic, here as on the Clinic page."""

    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email") or "").strip()
        if email_in_use(email, but=self.instance.pk) is not None:
            raise ValidationError(f"Another account already uses {email}: choose another.")
        return email


class MyomapUserAdmin(UserAdmin):  # type: ignore[type-arg]
    form = MyomapUserChangeForm
    fieldsets = (*UserAdmin.fieldsets, ("Clinic", {"fields": ("clinic", "role")}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "clinic", "role", "is_active")
    list_filter = ("role", "clinic", "is_active")


# The admin's sign-in counts against the same login throttle as /accounts/login/.
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.register(User, MyomapUserAdmin)
admin.site.register(Clinic)
