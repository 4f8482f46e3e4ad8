from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    TRANSLATION_LANGUAGES,
    Contact,
    Initiative,
    Organization,
    Region,
    SubWorkingGroup,
    WorkingGroup,
)
from .resources import ContactResource, InitiativeResource, OrganizationResource
from .seeding.exporter import initiative_record
from .seeding.loader import fingerprint


class SubWorkingGroupInline(admin.TabularInline):
    model = SubWorkingGroup
    extra = 0


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    inlines = [SubWorkingGroupInline]


@admin.register(SubWorkingGroup)
class SubWorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "working_group", "initiative_count"]
    list_filter = ["working_group"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_count=Count("initiatives"))

    @admin.display(ordering="initiative_count", description="Initiatives")
    def initiative_count(self, obj):
        return obj.initiative_count


class ContactEmailFilter(admin.SimpleListFilter):
    title = "contact e-mail"
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [("missing", "No contact e-mail"), ("present", "Has a contact e-mail")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(email="")
        if self.value() == "present":
            return queryset.exclude(email="")
        return queryset


@admin.register(Organization)
class OrganizationAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [OrganizationResource]
    formats = [CSV, XLSX]
    list_filter = [ContactEmailFilter]
    list_display = ["acronym", "name", "website", "email", "lead_count", "partner_count"]
    search_fields = ["acronym", "name", "email"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lead_count=Count("led_initiatives", distinct=True),
                partner_count=Count("partner_initiatives", distinct=True),
            )
        )

    @admin.display(ordering="lead_count", description="Leads")
    def lead_count(self, obj):
        return obj.lead_count

    @admin.display(ordering="partner_count", description="Partner in")
    def partner_count(self, obj):
        return obj.partner_count


@admin.register(Contact)
class ContactAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ContactResource]
    formats = [CSV, XLSX]
    list_display = ["name", "job_title", "organization", "email"]
    list_filter = ["organization"]
    search_fields = ["name", "job_title", "email"]
    autocomplete_fields = ["organization"]


class AttributionFilter(admin.SimpleListFilter):
    title = "attribution"
    parameter_name = "attribution"

    def lookups(self, request, model_admin):
        return [
            ("none", "Not attributed (no lead organization)"),
            ("lead", "Has a lead organization"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.unattributed()
        if self.value() == "lead":
            return queryset.exclude(lead_organization=None)
        return queryset


class InitiativeAdminForm(forms.ModelForm):
    regions = forms.TypedMultipleChoiceField(
        choices=Region.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Initiative
        fields = ["regions"]  # the admin adds the others from its fieldsets


class PointOfContactFilter(admin.SimpleListFilter):
    title = "point of contact"
    parameter_name = "contact"

    def lookups(self, request, model_admin):
        return [("none", "No point of contact"), ("some", "Has a point of contact")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(point_of_contact__isnull=True)
        if self.value() == "some":
            return queryset.filter(point_of_contact__isnull=False)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Not reviewed for over 12 months"), ("recent", "Reviewed recently")]

    def queryset(self, request, queryset):
        from .quality import review_cutoff

        overdue = Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=review_cutoff())
        if self.value() == "overdue":
            return queryset.filter(overdue)
        if self.value() == "recent":
            return queryset.exclude(overdue)
        return queryset


class TranslationForm(forms.ModelForm):
    language_code = forms.ChoiceField(label="Language", choices=TRANSLATION_LANGUAGES)

    class Meta:
        model = Initiative._parler_meta.root_model
        fields = ["language_code", "translated_title", "translated_description", "reviewed"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reviewed") and not (cleaned.get("translated_title") or "").strip():
            self.add_error("translated_title", "A reviewed translation needs a title.")
        return cleaned


class TranslationInline(admin.StackedInline):
    """Translations of the title and description, one per language; only reviewed ones are
    published. Whoever may edit the initiative may edit its translations."""

    model = Initiative._parler_meta.root_model
    form = TranslationForm
    extra = 0
    max_num = len(TRANSLATION_LANGUAGES)
    verbose_name_plural = "translations (English above is the published record)"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("initiatives.view_initiative")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("initiatives.change_initiative")

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Initiative)
class InitiativeAdmin(ImportExportMixin, SimpleHistoryAdmin):
    form = InitiativeAdminForm
    inlines = [TranslationInline]
    resource_classes = [InitiativeResource]
    formats = [CSV, XLSX]
    list_display = [
        "code",
        "title",
        "sub_working_group",
        "lead",
        "point_of_contact",
        "is_published",
        "seed_status",
        "updated_at",
    ]
    list_display_links = ["code", "title"]
    list_filter = [
        "sub_working_group",
        AttributionFilter,
        "lead_organization",
        "is_published",
        PointOfContactFilter,
        ReviewFilter,
        "status",
    ]
    list_select_related = ["sub_working_group", "lead_organization", "point_of_contact"]
    search_fields = ["code", "title", "description", "lead_organization__acronym"]
    filter_horizontal = ["partner_organizations"]
    autocomplete_fields = ["point_of_contact"]
    readonly_fields = ["seed_status", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "number", "sub_working_group", "title", "description"]}),
        (
            "Implementing organizations",
            {
                "fields": ["lead_organization", "partner_organizations", "attribution_evidence"],
                "description": "Attribute an organization only where a source says so, and "
                "record that evidence.",
            },
        ),
        ("Point of contact", {"fields": ["point_of_contact"]}),
        (
            "Delivery",
            {
                "fields": [
                    "status",
                    "delivery_mode",
                    "languages",
                    "regions",
                    "eligible_countries",
                    "participating_countries",
                    "last_reviewed",
                ],
                "description": "Optional: fill in what the implementing organization has "
                "confirmed. Public pages show only what is filled.",
            },
        ),
        ("Publication", {"fields": ["is_published", "source_notes"]}),
        ("History", {"fields": ["seed_status", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("partner_organizations")

    @admin.display(ordering="lead_organization__acronym", description="Lead organization")
    def lead(self, obj):
        return obj.lead_organization.acronym if obj.lead_organization else "— not attributed —"

    @admin.display(description="Seed")
    def seed_status(self, obj):
        if not obj.pk or not obj.seed_fingerprint:
            return "Not from the seed file"
        if fingerprint(initiative_record(obj)) == obj.seed_fingerprint:
            return "Matches the seed"
        return "Edited by staff"
