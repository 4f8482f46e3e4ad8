import csv

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.utils import timezone

from ..models import Organization
from ..spreadsheets import spreadsheet_safe
from .delivery import queue_again
from .models import OutboundEmail, Registration, RegistrationItem


class RegistrationItemInline(admin.TabularInline):
    model = RegistrationItem
    extra = 0
    can_delete = False
    fields = ["initiative", "recipient_label", "recipient", "recipient_kind"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OutboundEmailInline(admin.TabularInline):
    model = OutboundEmail
    extra = 0
    can_delete = False
    fields = ["kind", "to", "status", "attempts", "last_error", "next_attempt_at", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeliveryStatusFilter(admin.SimpleListFilter):
    title = "delivery status"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", "Some e-mail failed"),
            ("pending", "Some e-mail waiting"),
            ("sent", "Everything sent"),
        ]

    def queryset(self, request, queryset):
        def having(status):
            return Exists(OutboundEmail.objects.filter(registration=OuterRef("pk"), status=status))

        if self.value() == "failed":
            return queryset.filter(having(OutboundEmail.Status.FAILED))
        if self.value() == "pending":
            return queryset.filter(having(OutboundEmail.Status.PENDING))
        if self.value() == "sent":
            return queryset.exclude(
                Q(having(OutboundEmail.Status.FAILED)) | Q(having(OutboundEmail.Status.PENDING))
            )
        return queryset


class OrganizationFilter(admin.SimpleListFilter):
    title = "implementing organization"
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        return [(org.acronym, org.acronym) for org in Organization.objects.order_by("acronym")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(initiatives__lead_organization__acronym=self.value())
                | Q(initiatives__partner_organizations__acronym=self.value())
            ).distinct()
        return queryset


@admin.action(description="Export the selected registrations as CSV")
def export_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="registrations-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference",
            "submitted_at",
            "full_name",
            "job_title",
            "agency",
            "country",
            "email",
            "phone",
            "initiatives",
            "message",
            "delivery",
        ]
    )
    for registration in queryset.prefetch_related("items__initiative", "emails"):
        statuses = sorted({email.status for email in registration.emails.all()})
        row = [
            str(registration.reference),
            registration.submitted_at.isoformat(),
            registration.full_name,
            registration.job_title,
            registration.agency,
            registration.country.code,
            registration.email,
            registration.phone,
            " ".join(item.initiative.code for item in registration.items.all()),
            registration.message,
            "/".join(statuses),
        ]
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response


@admin.action(description="Resend the e-mails of the selected registrations")
def resend_registration_emails(modeladmin, request, queryset):
    count = queue_again(OutboundEmail.objects.filter(registration__in=queryset))
    modeladmin.message_user(request, f"{count} e-mail(s) queued again.", messages.SUCCESS)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "submitted_at",
        "full_name",
        "agency",
        "country",
        "email",
        "initiative_codes",
        "delivery",
    ]
    list_filter = [
        DeliveryStatusFilter,
        ("items__initiative", admin.RelatedOnlyFieldListFilter),
        OrganizationFilter,
        "country",
        "submitted_at",
    ]
    date_hierarchy = "submitted_at"
    search_fields = ["full_name", "email", "agency", "job_title", "items__initiative__code"]
    readonly_fields = [
        "reference",
        "submitted_at",
        "full_name",
        "job_title",
        "agency",
        "country",
        "email",
        "phone",
        "message",
        "consent",
    ]
    fields = readonly_fields
    inlines = [RegistrationItemInline, OutboundEmailInline]
    actions = [export_csv, resend_registration_emails]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("items__initiative")
            .annotate(
                waiting=Count("emails", filter=Q(emails__status="pending"), distinct=True),
                failed=Count("emails", filter=Q(emails__status="failed"), distinct=True),
            )
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description="Initiatives")
    def initiative_codes(self, obj):
        return ", ".join(item.initiative.code for item in obj.items.all())

    @admin.display(description="E-mails")
    def delivery(self, obj):
        if obj.failed:
            return f"{obj.failed} failed"
        if obj.waiting:
            return f"{obj.waiting} waiting"
        return "all sent"


@admin.action(description="Resend the selected e-mails")
def resend_emails(modeladmin, request, queryset):
    count = queue_again(queryset)
    modeladmin.message_user(request, f"{count} e-mail(s) queued again.", messages.SUCCESS)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipients",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["subject", "registration__email", "registration__full_name"]
    readonly_fields = [
        "registration",
        "kind",
        "to",
        "cc",
        "reply_to",
        "subject",
        "body_text",
        "headers",
        "message_id",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields
    actions = [resend_emails]

    def has_add_permission(self, request):
        return False

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)
