"""A person's own data: see it all, have it erased (an account with its password, a guest
from their manage link)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.throttles import LoginIpThrottle, TokenLookupThrottle
from config.exceptions import Conflict, Invalid
from config.serializers import Input
from selfservice.selectors import purchase_by_manage_token

from .selectors import person_data
from .services import erasure_request


class KeptOutput(serializers.Serializer):
    what = serializers.CharField()
    why = serializers.CharField()


class ErasureOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    kept = KeptOutput(many=True)


class AccountOutput(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()
    date_joined = serializers.DateTimeField()


class PersonDataOutput(serializers.Serializer):
    account = AccountOutput()
    held = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="per table (app.Model): the rows about the person, with what they hold",
    )
    consents = serializers.ListField(child=serializers.DictField())


class PersonDataApi(APIView):
    @extend_schema(responses=PersonDataOutput)
    def get(self, request):
        user: User = request.user
        account = {
            "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "phone": user.phone, "date_joined": user.date_joined,
        }  # fmt: skip
        # No consent is asked for (every use serves a purchase the person made): none held.
        answer = {"account": account, "held": person_data(user.pk), "consents": []}
        return Response(PersonDataOutput(answer).data)


def erasure_answer(user: User, asked_by: str) -> Response:
    erasure = erasure_request(user=user, asked_by=asked_by)
    return Response(ErasureOutput(erasure).data, status=status.HTTP_202_ACCEPTED)


class PersonEraseApi(APIView):
    throttle_classes = [LoginIpThrottle]

    class InputSerializer(Input):
        password = serializers.CharField(write_only=True)

    @extend_schema(request=InputSerializer, responses={202: ErasureOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
            raise Invalid("Wrong password.")
        return erasure_answer(request.user, "the person")


class GuestEraseApi(APIView):
    """A guest's contact erased from their manage link."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [TokenLookupThrottle]

    @extend_schema(request=None, responses={202: ErasureOutput})
    def post(self, request, token: str):
        owner = purchase_by_manage_token(token).user
        if not owner.is_guest:
            raise Conflict("This purchase belongs to an account: sign in to erase it.")
        return erasure_answer(owner, "the person (manage link)")
