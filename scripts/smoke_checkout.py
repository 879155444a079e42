"""One checkout against a deployed stack, as a person would: the staff user signs in to
admin, a new shopper pays for one product with Razorpay (the sandbox's page standing in),
and the stack confirms the order. Run by scripts/compose-smoke.sh; exits non-zero, saying
where, on the first thing that is not as it should be."""

import argparse
import re
import secrets
import sys
from urllib.parse import parse_qsl, urlsplit

import requests

ADDRESS = {"full_name": "Asha Rao", "address_line_1": "1 Road", "city": "Pune", "postal_code": "411001"}  # fmt: skip


def local_session(ca: str | None = None) -> requests.Session:
    """A session that talks to this host only: no proxy, and TLS checked against `ca`
    (trust_env off, so neither a proxy variable nor REQUESTS_CA_BUNDLE stands in)."""
    session = requests.Session()
    session.trust_env = False
    if ca:
        session.verify = ca
    return session


def check(condition: bool, what: str, answer: requests.Response | None = None) -> None:
    if not condition:
        detail = f" ({answer.status_code}: {answer.text[:300]})" if answer is not None else ""
        sys.exit(f"smoke checkout failed: {what}{detail}")


def staff_signs_in(site: str, ca: str, email: str, password: str) -> None:
    browser = local_session(ca)
    login = browser.get(f"{site}/admin/login/", timeout=20)
    check(login.status_code == 200, "the admin login page over TLS", login)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    home = browser.post(
        f"{site}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        headers={"Referer": f"{site}/admin/login/"},
        timeout=20,
    )
    check(home.status_code == 200 and "Site administration" in home.text, "staff sign-in", home)


def shopper_pays(site: str, sandbox: str, ca: str) -> str:
    shopper = local_session(ca)
    email, password = f"smoke-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(12)
    person = {"email": email, "password": password, "first_name": "Smoke", "last_name": "Test"}
    registered = shopper.post(f"{site}/api/accounts/register/", json=person, timeout=20)
    check(registered.status_code == 201, "registering a shopper", registered)
    tokens = shopper.post(f"{site}/api/accounts/token/", json=person, timeout=20)
    check(tokens.status_code == 200, "logging in", tokens)
    shopper.headers["Authorization"] = f"Bearer {tokens.json()['access']}"
    products = shopper.get(f"{site}/api/products/", timeout=20).json()
    products = products["results"] if isinstance(products, dict) else products
    product = next(p for p in products if any(v["available"] for v in p["variants"]))
    variant = next(v for v in product["variants"] if v["available"])
    line = {"product_id": product["id"], "variant_id": variant["id"], "quantity": 1}
    added = shopper.post(f"{site}/api/cart/items/", json=line, timeout=20)
    check(added.status_code == 201, "adding to the cart", added)
    body = {"shipping_address": ADDRESS, "billing_address": ADDRESS}
    started = shopper.post(f"{site}/api/payments/create-from-cart/", json=body, timeout=60)
    check(started.status_code == 201, "starting the payment at the provider", started)
    checkout = pay_on_sandbox(sandbox, started.json()["razorpay_order_id"])
    verified = shopper.post(f"{site}/api/payments/verify/", json=checkout, timeout=60)
    check(verified.status_code == 200, "verifying the payment", verified)
    return verified.json()["order_number"]


def pay_on_sandbox(sandbox: str, order_id: str) -> dict:
    """Press Pay on the sandbox's page; its browser return carries the signed result."""
    browser = local_session()
    page_url = f"{sandbox}/sandbox/razorpay/pay/{order_id}/?callback=/demo/razorpay-return"
    page = browser.get(page_url, timeout=20)
    check(page.status_code == 200, "the sandbox's pay page", page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    back = browser.post(
        page_url,
        data={"csrfmiddlewaretoken": token, "outcome": "pay", "webhook": "drop"},
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=20,
    )
    check(back.status_code == 302, "paying on the sandbox's page", back)
    return dict(parse_qsl(urlsplit(back.headers["Location"]).query))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("site", "plain", "sandbox", "ca", "staff", "staff-password"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    plain = local_session().get(f"{args.plain}/api/products/", allow_redirects=False, timeout=20)
    check(
        plain.status_code == 301 and plain.headers["Location"] == f"{args.site}/api/products/",
        "plain HTTP is sent to HTTPS on its own port",
        plain,
    )
    metrics = local_session(args.ca).get(f"{args.site}/metrics", timeout=20)
    check(metrics.status_code == 403, "/metrics through nginx needs the token", metrics)
    staff_signs_in(args.site, args.ca, args.staff, args.staff_password)
    print("staff signed in to admin")
    print(f"paid: order {shopper_pays(args.site, args.sandbox, args.ca)}")


if __name__ == "__main__":
    main()
