"""Bulk import and export (CSV, XLSX) of initiatives, organizations and contacts.

Rows are validated with the models' own rules (``clean_model_instances``) and the database's
constraints; an import runs in one transaction, so a file with any bad row writes nothing.
"""

from import_export import fields, resources, widgets

from .models import Contact, Initiative, Organization, SubWorkingGroup


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """An unknown value is an error naming the value, reported against its column."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(
                f"no {self.model._meta.verbose_name} has {self.field} {value!r}"
            ) from error


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Every listed value must exist (the base widget silently drops unknown ones)."""

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row, **kwargs)
        wanted = [item.strip() for item in str(value or "").split(self.separator) if item.strip()]
        known = {getattr(obj, self.field) for obj in found}
        missing = [item for item in wanted if item not in known]
        if missing:
            raise ValueError(
                f"no {self.model._meta.verbose_name} has {self.field} {', '.join(missing)}"
            )
        return found


class AllOrNothingResource(resources.ModelResource):
    """A real import first runs as a dry run: any bad row, and nothing is written."""

    def import_data(self, dataset, dry_run=False, **kwargs):
        if dry_run:
            return super().import_data(dataset, dry_run=True, **kwargs)
        preview = super().import_data(dataset, dry_run=True, **kwargs)
        if preview.has_errors() or preview.has_validation_errors():
            return preview
        return super().import_data(dataset, dry_run=False, **kwargs)


class OrganizationResource(AllOrNothingResource):
    class Meta:
        model = Organization
        import_id_fields = ["acronym"]
        fields = ["acronym", "name", "website", "email"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class ContactResource(AllOrNothingResource):
    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=StrictForeignKeyWidget(Organization, field="acronym"),
    )

    class Meta:
        model = Contact
        import_id_fields = ["name", "organization"]
        fields = ["name", "job_title", "organization", "email"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class InitiativeResource(AllOrNothingResource):
    sub_working_group = fields.Field(
        attribute="sub_working_group",
        column_name="sub_working_group",
        widget=StrictForeignKeyWidget(SubWorkingGroup, field="code"),
    )
    lead_organization = fields.Field(
        attribute="lead_organization",
        column_name="lead_organization",
        widget=StrictForeignKeyWidget(Organization, field="acronym"),
    )
    partner_organizations = fields.Field(
        attribute="partner_organizations",
        column_name="partner_organizations",
        widget=StrictManyToManyWidget(Organization, field="acronym", separator=";"),
    )
    regions = fields.Field(
        attribute="regions", column_name="regions", widget=widgets.SimpleArrayWidget(";")
    )

    class Meta:
        model = Initiative
        import_id_fields = ["code"]
        fields = [
            "code",
            "number",
            "sub_working_group",
            "title",
            "description",
            "lead_organization",
            "partner_organizations",
            "attribution_evidence",
            "is_published",
            "status",
            "delivery_mode",
            "languages",
            "regions",
            "last_reviewed",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
