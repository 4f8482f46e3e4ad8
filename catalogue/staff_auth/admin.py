"""An administrator resets another user's second factor from the user list; each reset is
recorded in that user's admin history (who, when, which devices)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from .devices import reset_devices

User = get_user_model()
BaseUserAdmin = type(admin.site._registry[User])


class StaffUserAdmin(BaseUserAdmin):
    actions = [*(BaseUserAdmin.actions or []), "reset_two_factor"]

    @admin.action(
        description="Reset two-factor sign-in (the user sets up a new device at next sign-in)",
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            removed = reset_devices(user)
            message = "Reset two-factor sign-in: removed " + (", ".join(removed) or "no device")
            self.log_change(request, user, message)
        count = queryset.count()
        self.message_user(
            request,
            f"Two-factor sign-in reset for {count} user(s); they set up a new device at their "
            "next sign-in.",
            messages.SUCCESS,
        )


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
