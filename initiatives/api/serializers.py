from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import DeliveryMode, Initiative, Organization, Region, Status


class OrganizationSerializer(serializers.ModelSerializer):
    # The acronym is the key the filters use, as in English; the name is in the language asked.
    name = serializers.CharField(source="local_name")

    class Meta:
        model = Organization
        fields = ["acronym", "name"]


class SubWorkingGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="local_name")


class CountryCodesField(serializers.ListField):
    """The ISO 3166 codes of a multiple CountryField. Not read-only, so that the schema can
    leave it out of `required` (it is omitted when empty); the API never writes."""

    child = serializers.CharField()

    def to_representation(self, countries):
        return [country.code for country in countries]


class WorkingGroupSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField(source="local_name")


OPTIONAL_FIELDS = (
    "status",
    "delivery_mode",
    "languages",
    "regions",
    "eligible_countries",
    "participating_countries",
    "last_reviewed",
)


class InitiativeSerializer(serializers.ModelSerializer):
    sub_working_group = SubWorkingGroupSerializer(read_only=True)
    working_group = WorkingGroupSerializer(source="sub_working_group.working_group", read_only=True)
    lead_organization = OrganizationSerializer(read_only=True, allow_null=True)
    partner_organizations = OrganizationSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="The initiative's public page.")
    # Choice fields, so that the schema lists the values; what they output is unchanged.
    status = serializers.ChoiceField(Status.choices, required=False)
    delivery_mode = serializers.ChoiceField(DeliveryMode.choices, required=False)
    languages = serializers.CharField(required=False)
    regions = serializers.ListField(child=serializers.ChoiceField(Region.choices), required=False)
    eligible_countries = CountryCodesField(
        required=False, help_text="ISO 3166 codes; present only when filled."
    )
    participating_countries = CountryCodesField(
        required=False, help_text="ISO 3166 codes; present only when filled."
    )
    last_reviewed = serializers.DateField(required=False)
    field_languages = serializers.SerializerMethodField(
        help_text="The language of the title and of the description: the one asked for where "
        "staff have published a reviewed translation, otherwise English (en)."
    )

    class Meta:
        model = Initiative
        fields = [
            "code",
            "number",
            "sub_working_group",
            "working_group",
            "title",
            "lead_organization",
            "partner_organizations",
            "description",
            "url",
            "field_languages",
            *OPTIONAL_FIELDS,
        ]

    def to_representation(self, initiative):
        """Optional facts appear only when staff have filled them in."""
        data = super().to_representation(initiative)
        translation = initiative.reviewed_translation(get_language())
        for name in ("title", "description"):
            text = getattr(translation, f"translated_{name}", "")
            if text.strip():
                data[name] = text
                data["field_languages"][name] = translation.language_code
        for name in OPTIONAL_FIELDS:
            if data.get(name) in ("", None, []):
                data.pop(name, None)
        return data

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_field_languages(self, initiative) -> dict[str, str]:
        return {"title": "en", "description": "en"}

    def get_url(self, initiative) -> str:
        request = self.context.get("request")
        path = initiative.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
