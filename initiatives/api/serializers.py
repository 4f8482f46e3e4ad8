from rest_framework import serializers

from ..models import Initiative, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["acronym", "name"]


class SubWorkingGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class WorkingGroupSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


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
    status = serializers.CharField(required=False, help_text="proposed, active or completed")
    delivery_mode = serializers.CharField(required=False, help_text="in_person, online or hybrid")
    languages = serializers.CharField(required=False)
    regions = serializers.ListField(child=serializers.CharField(), required=False)
    eligible_countries = serializers.SerializerMethodField(
        help_text="ISO 3166 codes; present only when filled."
    )
    participating_countries = serializers.SerializerMethodField(
        help_text="ISO 3166 codes; present only when filled."
    )
    last_reviewed = serializers.DateField(required=False)

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
            *OPTIONAL_FIELDS,
        ]

    def get_eligible_countries(self, initiative) -> list[str]:
        return [country.code for country in initiative.eligible_countries]

    def get_participating_countries(self, initiative) -> list[str]:
        return [country.code for country in initiative.participating_countries]

    def to_representation(self, initiative):
        """Optional facts appear only when staff have filled them in."""
        data = super().to_representation(initiative)
        for name in OPTIONAL_FIELDS:
            if data.get(name) in ("", None, []):
                data.pop(name, None)
        return data

    def get_url(self, initiative) -> str:
        request = self.context.get("request")
        path = initiative.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
