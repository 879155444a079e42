import pytest
from django.db import IntegrityError

from cart.models import Cart, CartKind, CartStatus
from catalog.models import ProductVariant
from tests.conftest import client_for, run_concurrently
from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def add(api, variant, quantity=1, **extra):
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": quantity}
    return api.post("/api/cart/items/", body | extra, format="json")


def test_first_get_creates_one_active_shop_cart(api, user):
    body = api.get("/api/cart/").json()
    assert body["status"] == "ACTIVE"
    assert body["cart_id"] == f"CART_USER{user.pk}_{body['id']:03d}"
    assert body["items"] == [] and body["total_price"] == "0.00"
    assert api.get("/api/cart/").json()["id"] == body["id"]


def test_totals_are_computed_on_the_server_over_several_lines(api):
    diya = VariantFactory(price="249.00", stock=5)
    mala = VariantFactory(price="899.50", stock=5)
    add(api, diya, 2)
    response = add(api, mala, 3)
    assert response.status_code == 201
    body = response.json()
    assert body["items_count"] == 5
    assert body["total_price"] == "3196.50"  # 2 × 249.00 + 3 × 899.50
    assert [line["line_total"] for line in body["items"]] == ["498.00", "2698.50"]


def test_adding_the_same_variant_again_adds_to_its_line(api):
    variant = VariantFactory(stock=5)
    add(api, variant, 2)
    body = add(api, variant, 2).json()
    assert len(body["items"]) == 1 and body["items"][0]["quantity"] == 4


def test_product_with_one_variant_needs_no_variant_id(api):
    variant = VariantFactory()
    response = api.post(
        "/api/cart/items/", {"product_id": variant.product_id, "quantity": 1}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["items"][0]["variant_id"] == variant.pk


def test_product_with_several_variants_requires_variant_id(api):
    product = ProductFactory()
    VariantFactory(product=product)
    VariantFactory(product=product)
    response = api.post(
        "/api/cart/items/", {"product_id": product.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 400
    assert "variant_id" in response.json()["error"]


def test_quantity_over_stock_is_refused_and_cart_unchanged(api):
    variant = VariantFactory(stock=3)
    add(api, variant, 2)
    response = add(api, variant, 2)
    assert response.status_code == 400
    assert "left in stock" in response.json()["error"]
    assert api.get("/api/cart/").json()["items"][0]["quantity"] == 2


def test_update_and_remove_a_line(api):
    variant = VariantFactory(stock=10)
    item_id = add(api, variant, 1).json()["items"][0]["id"]
    updated = api.patch(f"/api/cart/items/{item_id}/", {"quantity": 7}, format="json")
    assert updated.status_code == 200 and updated.json()["items"][0]["quantity"] == 7
    assert (
        api.patch(f"/api/cart/items/{item_id}/", {"quantity": 11}, format="json").status_code == 400
    )
    removed = api.delete(f"/api/cart/items/{item_id}/")
    assert removed.status_code == 200 and removed.json()["items"] == []


def test_clearing_the_shop_cart_answers_204(api):
    add(api, VariantFactory(), 1)
    assert api.delete("/api/cart/").status_code == 204
    assert api.get("/api/cart/").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"product_id": 999999, "quantity": 1}, "Product not found"),
        ({"quantity": 1}, "product_id"),
        ({"product_id": "PLACEHOLDER", "quantity": 0}, "quantity"),
        ({"product_id": "PLACEHOLDER", "quantity": -2}, "quantity"),
        ({"product_id": "PLACEHOLDER", "quantity": "many"}, "quantity"),
    ],
)
def test_bad_cart_input_answers_400_with_error(api, body, fragment):
    variant = VariantFactory()
    if body.get("product_id") == "PLACEHOLDER":
        body["product_id"] = variant.product_id
    response = api.post("/api/cart/items/", body, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_malformed_json_answers_400(api):
    response = api.post("/api/cart/items/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Request body is not valid JSON."


def test_another_users_cart_line_is_404(api, other_user):
    variant = VariantFactory()
    item_id = add(client_for(other_user), variant, 1).json()["items"][0]["id"]
    assert (
        api.patch(f"/api/cart/items/{item_id}/", {"quantity": 2}, format="json").status_code == 404
    )
    assert api.delete(f"/api/cart/items/{item_id}/").status_code == 404


def test_cart_requires_a_token(anon_client):
    assert anon_client.get("/api/cart/").status_code == 401


def test_database_refuses_a_second_active_shop_cart(user):
    Cart.objects.create(user=user, kind=CartKind.SHOP)
    with pytest.raises(IntegrityError):
        Cart.objects.create(user=user, kind=CartKind.SHOP)


def test_database_refuses_negative_stock():
    variant = VariantFactory(stock=1)
    with pytest.raises(IntegrityError):
        ProductVariant.objects.filter(pk=variant.pk).update(stock=-1)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_requests_share_one_active_cart():
    user = UserFactory()
    results = run_concurrently(
        lambda: client_for(user).get("/api/cart/"), lambda: client_for(user).get("/api/cart/")
    )
    assert [r.status_code for r in results] == [200, 200]
    assert results[0].json()["id"] == results[1].json()["id"]
    assert Cart.objects.filter(user=user, kind=CartKind.SHOP, status=CartStatus.ACTIVE).count() == 1
