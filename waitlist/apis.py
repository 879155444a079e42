"""The waiting list of a full puja slot: join, see where you stand, leave."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.guest_apis import GUESTS_WELCOME, ContactInput, GuestMayStart
from accounts.throttles import TokenLookupThrottle
from config.secret_tokens import waitlist_token
from config.serializers import IdField, Input, SlotTimeField

from .models import EntryStatus, WaitlistEntry
from .selectors import entry_by_token, entry_position
from .services import waitlist_join, waitlist_leave


class EntryOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    token = serializers.CharField(
        required=False, help_text="the entry's link: shown when it is made, and to its user"
    )
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    position = serializers.IntegerField(allow_null=True, help_text="1: next; null: not waiting")
    puja_service = serializers.IntegerField(source="slot.puja_service_id")
    package = serializers.IntegerField(source="package_id")
    selected_date = serializers.DateField(source="slot.selected_date")
    selected_time = serializers.TimeField(source="slot.selected_time", format="%H:%M")
    offer_expires_at = serializers.DateTimeField(allow_null=True)
    cart_id = serializers.CharField(
        source="cart.cart_id",
        allow_null=True,
        default=None,
        help_text="while OFFERED: the booking cart holding the place; check it out as any",
    )


def entry_answer(entry: WaitlistEntry, *, with_token: bool, code=status.HTTP_200_OK) -> Response:
    data = EntryOutput(entry).data | {"position": entry_position(entry)}
    if with_token:
        data["token"] = waitlist_token(entry.key)
    if entry.status != EntryStatus.OFFERED:
        data["cart_id"] = None
    return Response(data, status=code)


class WaitlistApi(APIView):
    authentication_classes = GUESTS_WELCOME
    permission_classes = [GuestMayStart]

    class InputSerializer(Input):
        puja_service = IdField()
        package = IdField()
        selected_date = serializers.DateField()
        selected_time = SlotTimeField()
        contact = ContactInput(required=False)

    @extend_schema(request=InputSerializer, responses={201: EntryOutput, 200: EntryOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user if request.user.is_authenticated else None
        entry, created = waitlist_join(
            user=user,
            contact=values.get("contact"),
            puja_service_id=values["puja_service"],
            package_id=values["package"],
            selected_date=values["selected_date"],
            selected_time=values["selected_time"],
        )
        # The token again only to whoever proves to be the entry's user (a guest naming the
        # same email proves nothing: theirs is in the link they were given).
        mine = created or (user is not None and user.pk == entry.user_id)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return entry_answer(entry, with_token=mine, code=code)


class WaitlistEntryApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [TokenLookupThrottle]

    @extend_schema(responses=EntryOutput)
    def get(self, request, token: str):
        return entry_answer(entry_by_token(token), with_token=False)

    @extend_schema(responses={204: None})
    def delete(self, request, token: str):
        waitlist_leave(entry=entry_by_token(token))
        return Response(status=status.HTTP_204_NO_CONTENT)
