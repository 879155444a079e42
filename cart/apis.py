from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import CART_TOKEN_HEADER
from accounts.guest_apis import GUESTS_WELCOME, GuestMayStart, may_start_a_guest
from accounts.guests import guest_by_cart_token
from config.exceptions import Invalid, Missing
from config.serializers import IdField, Input, SlotTimeField, WholeNumberField
from idempotency.apis import idempotent

from .models import Cart
from .pricing import cart_items, cart_price, coupon_get_valid
from .selectors import cart_get_for_user, carts_for_user
from .services import (
    booking_cart_create,
    cart_abandon,
    cart_item_add,
    cart_item_remove,
    cart_item_update,
    guest_cart_claim,
    shop_cart_clear,
    shop_cart_get_or_create,
)


class ShopCartItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    variant_id = serializers.IntegerField()
    variant_name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    stock = serializers.IntegerField()


class BookingCartLineOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["booking"])
    puja_service_id = serializers.IntegerField()
    package_id = serializers.IntegerField()
    service_name = serializers.CharField()
    package_name = serializers.CharField()
    selected_date = serializers.DateField()
    selected_time = serializers.CharField(help_text='"HH:MM"')
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()


CART_ITEMS = PolymorphicProxySerializer(
    component_name="CartItem",
    serializers=[ShopCartItemOutput, BookingCartLineOutput],
    resource_type_field_name=None,
    many=True,
)


class CartOutputSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    items_count = serializers.SerializerMethodField()
    total_price = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()

    class Meta:
        model = Cart
        fields = [
            "id", "cart_id", "user", "kind", "status", "items", "items_count", "total_price",
            "discount", "service_type", "puja_service", "package", "selected_date",
            "selected_time", "promo_code", "created_at", "updated_at",
        ]  # fmt: skip

    def _items(self, cart: Cart) -> list:
        """Read once per cart, for the item rows and the prices alike."""
        cache = self.context.setdefault("items", {})
        if cart.pk not in cache:
            cache[cart.pk] = [] if cart.is_booking else cart_items(cart)
        return cache[cart.pk]

    def _priced(self, cart: Cart):
        cache = self.context.setdefault("priced", {})
        if cart.pk not in cache:
            coupon = None
            if cart.promo_code:
                try:
                    coupon = coupon_get_valid(cart.promo_code)
                except Invalid:  # an expired promo code simply stops discounting
                    coupon = None
            cache[cart.pk] = cart_price(cart, coupon=coupon, items=self._items(cart))
        return cache[cart.pk]

    @extend_schema_field(CART_ITEMS)
    def get_items(self, cart: Cart) -> list[dict]:
        if cart.is_booking:
            return self._priced(cart).lines
        return [
            {
                "id": item.pk,
                "product_id": item.variant.product_id,
                "product_name": item.variant.product.name,
                "variant_id": item.variant_id,
                "variant_name": item.variant.name,
                "unit_price": str(item.variant.price),
                "quantity": item.quantity,
                "line_total": str(item.line_total),
                "stock": item.variant.stock,
            }
            for item in self._items(cart)
        ]

    def get_items_count(self, cart: Cart) -> int:
        return self._priced(cart).items_count

    def get_total_price(self, cart: Cart) -> str:
        return str(self._priced(cart).total)

    def get_discount(self, cart: Cart) -> str:
        return str(self._priced(cart).discount_total)


class StartedCartOutput(CartOutputSerializer):
    """A creating cart call's answer; a call that started a guest carries its token."""

    cart_token = serializers.CharField(
        required=False,
        help_text="Only when this call started a guest: send it back as X-Cart-Token (shown once).",
    )

    class Meta(CartOutputSerializer.Meta):
        fields = [*CartOutputSerializer.Meta.fields, "cart_token"]


def cart_response(cart: Cart, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CartOutputSerializer(cart).data, status=status_code)


class ShopCartApi(APIView):
    authentication_classes = GUESTS_WELCOME

    @extend_schema(responses=CartOutputSerializer)
    def get(self, request):
        return cart_response(shop_cart_get_or_create(user=request.user))

    @extend_schema(responses={204: None})
    def delete(self, request):
        shop_cart_clear(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemsApi(APIView):
    authentication_classes = GUESTS_WELCOME
    permission_classes = [GuestMayStart]

    class InputSerializer(Input):
        product_id = IdField()
        variant_id = IdField(required=False)
        quantity = WholeNumberField(min_value=1, max_value=1000)

    @extend_schema(request=InputSerializer, responses={201: StartedCartOutput})
    @may_start_a_guest
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = cart_item_add(
            user=request.user,
            product_id=data.validated_data["product_id"],
            variant_id=data.validated_data.get("variant_id"),
            quantity=data.validated_data["quantity"],
        )
        return cart_response(cart, status.HTTP_201_CREATED)


class CartItemDetailApi(APIView):
    authentication_classes = GUESTS_WELCOME

    class InputSerializer(Input):
        quantity = WholeNumberField(min_value=1, max_value=1000)

    @extend_schema(request=InputSerializer, responses=CartOutputSerializer)
    def patch(self, request, item_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = cart_item_update(
            user=request.user, item_id=item_id, quantity=data.validated_data["quantity"]
        )
        return cart_response(cart)

    @extend_schema(responses={200: CartOutputSerializer})
    def delete(self, request, item_id: int):
        return cart_response(cart_item_remove(user=request.user, item_id=item_id))


class CartsApi(APIView):
    authentication_classes = GUESTS_WELCOME
    permission_classes = [GuestMayStart]

    class InputSerializer(Input):
        service_type = serializers.ChoiceField(choices=["PUJA"])
        puja_service = IdField()
        package = IdField()
        selected_date = serializers.DateField()
        selected_time = SlotTimeField(
            help_text='"10:00", "10:00:00", "6:30 PM" or "07:15 pm": one time, one slot'
        )
        promo_code = serializers.CharField(required=False, max_length=50)

    @extend_schema(operation_id="cart_carts_list", responses=CartOutputSerializer(many=True))
    def get(self, request):
        carts = carts_for_user(user=request.user)
        return Response(CartOutputSerializer(carts, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: StartedCartOutput})
    @may_start_a_guest
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cart = booking_cart_create(
            user=request.user,
            service_type=values["service_type"],
            puja_service_id=values["puja_service"],
            package_id=values["package"],
            selected_date=values["selected_date"],
            selected_time=values["selected_time"],
            promo_code=values.get("promo_code", ""),
        )
        return cart_response(cart, status.HTTP_201_CREATED)


class CartDetailApi(APIView):
    authentication_classes = GUESTS_WELCOME

    @extend_schema(responses=CartOutputSerializer)
    def get(self, request, cart_ref: str):
        return cart_response(cart_get_for_user(user=request.user, reference=cart_ref))

    @extend_schema(responses={204: None})
    def delete(self, request, cart_ref: str):
        cart_abandon(cart=cart_get_for_user(user=request.user, reference=cart_ref))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartClaimApi(APIView):
    """A signed-in user sends a guest cart's token (X-Cart-Token) to take its lines."""

    @extend_schema(request=None, responses=CartOutputSerializer)
    def post(self, request):
        token = request.headers.get(CART_TOKEN_HEADER)
        if not token:
            raise Invalid(f"Send the guest cart's token as {CART_TOKEN_HEADER}.")
        guest = guest_by_cart_token(token)
        if guest is None:
            raise Missing("Cart not found: the cart token is wrong or has expired.")
        return cart_response(guest_cart_claim(user=request.user, guest=guest))
