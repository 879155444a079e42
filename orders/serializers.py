import pycountry
from rest_framework import serializers

from catalog.models import Product, ProductVariant
from config.gstin import gstin_normal, gstin_valid
from config.serializers import Input

from .models import Order, OrderItem


class VariantOutputSerializer(serializers.ModelSerializer):
    available = serializers.SerializerMethodField(
        help_text="stock less the units open checkouts hold: what a new checkout can have"
    )

    class Meta:
        model = ProductVariant
        fields = ["id", "name", "sku", "price", "stock", "available"]

    def get_available(self, variant: ProductVariant) -> int:
        return max(variant.stock - variant.held, 0)


class ProductOutputSerializer(serializers.ModelSerializer):
    variants = VariantOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "variants"]


class OrderItemOutputSerializer(serializers.ModelSerializer):
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "id", "product", "variant", "product_name", "variant_name", "unit_price",
            "quantity", "line_total",
        ]  # fmt: skip


class OrderOutputSerializer(serializers.ModelSerializer):
    items = OrderItemOutputSerializer(many=True, read_only=True)
    dispute_status = serializers.CharField(
        max_length=16, allow_null=True, required=False,
        help_text="its payment's dispute (OPEN, WON, LOST…); null: none",
    )  # fmt: skip

    class Meta:
        model = Order
        fields = [
            "id", "order_number", "status", "payment_status", "currency", "subtotal",
            "discount_total", "total", "coupon_code", "shipping_address", "billing_address",
            "provider_shipping_address", "is_locked", "items", "paid_at", "created_at",
            "updated_at", "dispute_status",
        ]  # fmt: skip

    def to_representation(self, order: Order) -> dict:
        data = super().to_representation(order)
        for key in ("shipping_address", "billing_address", "provider_shipping_address"):
            data[key] = data[key] or None  # an address not given is null, never {}
        return data


class AddressSerializer(Input):
    """An address as frontends send it, stored in one normal form: first_name and
    last_name (or full_name split at its first space), the country as its ISO code
    (from a code or an English name), phone and state optional."""

    full_name = serializers.CharField(max_length=200, required=False, write_only=True)
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    address_line_1 = serializers.CharField(max_length=255)
    address_line_2 = serializers.CharField(max_length=255, required=False)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(
        max_length=64,
        required=False,
        help_text='ISO code or English name ("IN", "India"); default IN',
    )
    phone = serializers.CharField(max_length=20, required=False)
    gstin = serializers.CharField(
        max_length=20,
        required=False,
        help_text="a registered buyer's GSTIN (billing address): its tax invoice names it",
    )

    def validate_gstin(self, value: str) -> str:
        if not gstin_valid(value):
            raise serializers.ValidationError(
                "Not a valid GSTIN: 15 characters, its last one a check character."
            )
        return gstin_normal(value)

    def validate_country(self, value: str) -> str:
        try:
            return pycountry.countries.lookup(value.strip()).alpha_2
        except LookupError as exc:
            raise serializers.ValidationError(
                f"Unknown country {value!r}: use an ISO code or an English name."
            ) from exc

    def validate(self, attrs: dict) -> dict:
        full_name = attrs.pop("full_name", "").strip()
        if not attrs.get("first_name"):
            if not full_name:
                raise serializers.ValidationError(
                    {"first_name": "A name is required: first_name (and last_name) or full_name."}
                )
            first, _, last = full_name.partition(" ")
            attrs["first_name"] = first
            attrs.setdefault("last_name", last.strip())
        return {
            "last_name": "",
            "address_line_2": "",
            "state": "",
            "country": "IN",
            "phone": "",
        } | attrs
