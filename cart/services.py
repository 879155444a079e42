from collections import Counter
from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models import Case, F, PositiveIntegerField, Value, When

from catalog.models import Product, ProductVariant, PujaPackage, PujaService
from config.exceptions import Invalid, Missing
from holds.slots import slot_has_passed, slot_refuse_when_full, slot_use

from .models import Cart, CartItem, CartKind, CartStatus
from .pricing import coupon_get_valid


def _assign_cart_id(cart: Cart) -> Cart:
    cart.cart_id = f"CART_USER{cart.user_id}_{cart.pk:03d}"
    cart.save(update_fields=["cart_id"])
    return cart


def shop_cart_get_or_create(*, user) -> Cart:
    """The user's one active shop cart; the partial unique constraint settles a race
    between two first requests."""
    active = Cart.objects.filter(user=user, kind=CartKind.SHOP, status=CartStatus.ACTIVE)
    cart = active.first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return _assign_cart_id(Cart.objects.create(user=user, kind=CartKind.SHOP))
    except IntegrityError:
        return active.get()


def _variant_for(product_id: int, variant_id: int | None) -> ProductVariant:
    """The variant to add, read with its product in one query; what is wrong with a
    refused one costs a second."""
    variants = ProductVariant.objects.select_related("product").filter(
        product_id=product_id, product__is_active=True
    )
    if variant_id is not None:
        variant = variants.filter(pk=variant_id).first()
        if variant is not None:
            return variant
    elif len(only := list(variants[:2])) == 1:
        return only[0]
    if not Product.objects.filter(pk=product_id, is_active=True).exists():
        raise Invalid("Product not found.")
    if variant_id is not None:
        raise Invalid("This variant does not belong to the product.")
    raise Invalid("variant_id is required for a product with several variants.")


def _check_stock(variant: ProductVariant, quantity: int) -> None:
    if quantity > variant.stock:
        raise Invalid(f"Only {variant.stock} of {variant} left in stock.", available=variant.stock)


def _locked_shop_cart(user) -> Cart:
    active = Cart.objects.select_for_update().filter(
        user=user, kind=CartKind.SHOP, status=CartStatus.ACTIVE
    )
    return active.first() or active.get(pk=shop_cart_get_or_create(user=user).pk)


@transaction.atomic
def cart_item_add(*, user, product_id: int, variant_id: int | None, quantity: int) -> Cart:
    variant = _variant_for(product_id, variant_id)
    cart = _locked_shop_cart(user)
    item = cart.items.filter(variant=variant).first()
    new_quantity = quantity + (item.quantity if item else 0)
    _check_stock(variant, new_quantity)
    if item:
        item.quantity = new_quantity
        item.save(update_fields=["quantity"])
    else:
        CartItem.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def link_cart_create(*, user, items: list[dict]) -> Cart:
    """The cart of a payment link: product lines staff chose for a customer, priced from
    the catalog like any cart. `items`: [{product_id, variant_id?, quantity}]."""
    quantities: dict[ProductVariant, int] = {}
    for item in items:
        variant = _variant_for(item["product_id"], item.get("variant_id"))
        quantities[variant] = quantities.get(variant, 0) + item["quantity"]
    if not quantities:
        raise Invalid("A payment link needs a booking or at least one item.")
    for variant, quantity in quantities.items():
        _check_stock(variant, quantity)
    with transaction.atomic():
        cart = Cart.objects.create(user=user, kind=CartKind.LINK, for_payment_link=True)
        CartItem.objects.bulk_create(
            CartItem(cart=cart, variant=variant, quantity=quantity)
            for variant, quantity in quantities.items()
        )
        return _assign_cart_id(cart)


@transaction.atomic
def cart_item_update(*, user, item_id: int, quantity: int) -> Cart:
    cart = _locked_shop_cart(user)
    item = CartItem.objects.select_related("variant__product").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise Missing("Cart item not found.")
    _check_stock(item.variant, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return cart


@transaction.atomic
def cart_item_remove(*, user, item_id: int) -> Cart:
    cart = _locked_shop_cart(user)
    deleted, _ = CartItem.objects.filter(cart=cart, pk=item_id).delete()
    if not deleted:
        raise Missing("Cart item not found.")
    return cart


def shop_cart_clear(*, user) -> None:
    CartItem.objects.filter(
        cart__user=user, cart__kind=CartKind.SHOP, cart__status=CartStatus.ACTIVE
    ).delete()


def booking_cart_create(
    *,
    user,
    puja_service_id: int,
    package_id: int,
    selected_date: date,
    selected_time: time,
    service_type: str = "PUJA",
    promo_code: str = "",
    for_payment_link: bool = False,
) -> Cart:
    service = PujaService.objects.filter(pk=puja_service_id, is_active=True).first()
    if service is None:
        raise Invalid("Puja service not found.")
    package = PujaPackage.objects.filter(pk=package_id, service=service).first()
    if package is None:
        raise Invalid("This package does not belong to the puja service.")
    if slot_has_passed(selected_date=selected_date, selected_time=selected_time):
        raise Invalid("The selected date and time are in the past.")
    use = slot_use(puja_service=service, selected_date=selected_date, selected_time=selected_time)
    if use.booked >= use.capacity:
        raise Invalid("This slot is already booked.")
    # What is left is held by checkouts under way: 409, with when to try again.
    slot_refuse_when_full(use, name=f"{selected_date} {selected_time:%H:%M} for {service.name}")
    if promo_code:
        promo_code = coupon_get_valid(promo_code).code
    with transaction.atomic():
        cart = Cart.objects.create(
            user=user,
            kind=CartKind.BOOKING,
            service_type=service_type,
            puja_service=service,
            package=package,
            selected_date=selected_date,
            selected_time=selected_time,
            promo_code=promo_code,
            for_payment_link=for_payment_link,
        )
        return _assign_cart_id(cart)


def cart_abandon(*, cart: Cart) -> None:
    if cart.status == CartStatus.CONVERTED:
        raise Invalid("Cart has already been paid for.")
    cart.status = CartStatus.ABANDONED
    cart.save(update_fields=["status", "updated_at"])


def cart_mark_converted(*, cart: Cart) -> None:
    cart.status = CartStatus.CONVERTED
    cart.save(update_fields=["status", "updated_at"])


def cart_restore_lines(*, cart: Cart, quantities: dict[int, int]) -> None:
    """Put variants back into a shop cart (adding to lines already there)."""
    existing = {item.variant_id: item for item in cart.items.filter(variant_id__in=quantities)}
    for item in existing.values():
        item.quantity += quantities[item.variant_id]
    CartItem.objects.bulk_update(existing.values(), ["quantity"])
    CartItem.objects.bulk_create(
        CartItem(cart=cart, variant_id=variant_id, quantity=quantity)
        for variant_id, quantity in quantities.items()
        if variant_id not in existing
    )


def cart_remove_units(*, cart: Cart, units: Counter) -> None:
    """Take the given units of each variant out of a shop cart; lines and quantities added
    since the snapshot stay. Set-based: one delete, and one update only when some paid
    variant is not wholly removed (more was added since, or the line is gone)."""
    paid = units
    if not paid:
        return
    paid_quantity = Case(
        *(When(variant_id=variant_id, then=Value(n)) for variant_id, n in paid.items()),
        output_field=PositiveIntegerField(),
    )
    in_cart = CartItem.objects.filter(cart=cart, variant_id__in=paid)
    removed, _ = in_cart.filter(quantity__lte=paid_quantity).delete()
    if removed < len(paid):
        in_cart.update(quantity=F("quantity") - paid_quantity)


@transaction.atomic
def guest_cart_claim(*, user, guest) -> Cart:
    """A signed-in user takes a guest's cart: its shop lines join the user's shop cart
    (quantities add up; stock is checked at checkout as for any line) and its open
    booking carts become the user's. The guest's shop cart is left empty."""
    if guest.pk == user.pk or not guest.is_guest:
        raise Invalid("Only a guest's cart can be claimed.")
    cart = _locked_shop_cart(user)
    guest_lines = CartItem.objects.filter(
        cart__user=guest, cart__kind=CartKind.SHOP, cart__status=CartStatus.ACTIVE
    )
    quantities = Counter()
    for variant_id, quantity in guest_lines.values_list("variant_id", "quantity"):
        quantities[variant_id] += quantity
    cart_restore_lines(cart=cart, quantities=dict(quantities))
    guest_lines.delete()
    Cart.objects.filter(
        user=guest, kind=CartKind.BOOKING, status=CartStatus.ACTIVE, for_payment_link=False
    ).update(user=user)
    return cart
