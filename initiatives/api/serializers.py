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


class InitiativeSerializer(serializers.ModelSerializer):
    sub_working_group = SubWorkingGroupSerializer(read_only=True)
    working_group = WorkingGroupSerializer(source="sub_working_group.working_group", read_only=True)
    lead_organization = OrganizationSerializer(read_only=True, allow_null=True)
    partner_organizations = OrganizationSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="The initiative's public page.")

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
        ]

    def get_url(self, initiative) -> str:
        request = self.context.get("request")
        path = initiative.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
