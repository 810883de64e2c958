from rest_framework import serializers

from jiandu.orgs.models import Agency, Certificate, Person, Unit


class AgencySerializer(serializers.ModelSerializer):
    profile = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "code", "name", "short_name", "kind", "kind_label", "parent", "supervisor", "profile"]


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "agency", "name", "kind", "kind_label"]


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "username", "full_name", "agency", "unit", "roles"]

    def get_roles(self, obj: Person) -> list[str]:
        return sorted(obj.role_codes)


class CertificateSerializer(serializers.ModelSerializer):
    effective_status = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "person", "number", "issuer", "valid_from", "valid_to", "status", "effective_status"]

    def get_effective_status(self, obj: Certificate) -> str:
        return obj.effective_status()
