"""A shopper paying on a sandbox provider's hosted page, over real HTTP."""

import re
from urllib.parse import parse_qsl, urlsplit

import requests


def pay_razorpay_without_webhook(base: str, razorpay_order_id: str) -> dict:
    """Press Pay with the webhook lost: the browser's return carries the signed checkout
    result, which is all a verify has."""
    browser = requests.Session()
    page_url = f"{base}/sandbox/razorpay/pay/{razorpay_order_id}/?callback=/demo/razorpay-return"
    page = browser.get(page_url, timeout=10).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    back = browser.post(
        page_url,
        data={"csrfmiddlewaretoken": csrf, "outcome": "pay", "webhook": "drop"},
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=10,
    )
    return dict(parse_qsl(urlsplit(back.headers["Location"]).query))
