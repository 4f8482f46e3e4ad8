"""Alert subscriptions for staff: who follows what, what they were sent; unsubscribing someone
who asks. Addresses are shown (staff help people by them) but never written to a log."""

from django.contrib import admin, messages
from django.utils import translation

from .describe import describe_search
from .models import AlertedChange, Subscription, SubscriptionEmail


class SubscriptionEmailInline(admin.TabularInline):
    model = SubscriptionEmail
    verbose_name = "e-mail"
    verbose_name_plural = "e-mails"
    extra = 0
    can_delete = False
    fields = ["email", "kind", "status", "sent_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("email").order_by("-email__created_at")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="kind")
    def kind(self, link):
        return link.email.get_kind_display()

    @admin.display(description="status")
    def status(self, link):
        return link.email.get_status_display()

    @admin.display(description="sent")
    def sent_at(self, link):
        return link.email.sent_at


class AlertedChangeInline(admin.TabularInline):
    model = AlertedChange
    verbose_name = "change named in an alert"
    verbose_name_plural = "changes named in alerts"
    extra = 0
    can_delete = False
    fields = ["initiative", "changed_at", "email"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("initiative", "email")

    def has_add_permission(self, request, obj=None):
        return False


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "Confirmed"), ("no", "Waiting for confirmation")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.confirmed()
        if self.value() == "no":
            return queryset.unconfirmed()
        return queryset


@admin.action(description="Unsubscribe (delete with its e-mails)", permissions=["delete"])
def unsubscribe(modeladmin, request, queryset):
    count = queryset.delete_with_emails()
    modeladmin.message_user(
        request, f"{count} subscription(s) deleted, with their e-mails.", messages.SUCCESS
    )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "search",
        "frequency",
        "language",
        "confirmed",
        "created_at",
        "last_alert_at",
    ]
    list_filter = [ConfirmedFilter, "frequency", "language"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "email",
        "search_in_words",
        "search",
        "frequency",
        "language",
        "created_at",
        "confirmed_at",
        "covered_until",
        "last_alert_at",
    ]
    fields = readonly_fields
    inlines = [SubscriptionEmailInline, AlertedChangeInline]
    actions = [unsubscribe]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # what the subscriber chose is theirs to change (the manage link)

    def get_actions(self, request):
        # Deleting goes through "Unsubscribe": the plain delete would leave pending e-mails.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        Subscription.objects.filter(pk=obj.pk).delete_with_emails()

    def delete_queryset(self, request, queryset):
        queryset.delete_with_emails()

    @admin.display(description="confirmed", boolean=True, ordering="confirmed_at")
    def confirmed(self, subscription):
        return subscription.is_confirmed

    @admin.display(description="search, in words")
    def search_in_words(self, subscription):
        with translation.override("en"):
            return str(describe_search(subscription.search))
