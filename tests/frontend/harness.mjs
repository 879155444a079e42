// Runs docs/frontend.md's snippets (written out as snippets.mjs beside this file's copy)
// in Node against a live paycart. Only the providers' browser parts are stubbed: they do
// what a shopper does on the provider's page, here the sandbox's hosted pay pages.
// Usage: node harness.mjs <site> <snippets.mjs>; prints one JSON line of what happened.
const [site, snippetsPath] = process.argv.slice(2);
globalThis.PAYCART_API = site;

const stored = new Map();
globalThis.localStorage = {
  getItem: (key) => (stored.has(key) ? stored.get(key) : null),
  setItem: (key, value) => stored.set(key, String(value)),
  removeItem: (key) => stored.delete(key),
};
globalThis.window = { location: { href: "" } };

// Press Pay on a sandbox page as a person would; answers where the browser goes next.
async function pressPay(path, extra = {}) {
  const page = await fetch(`${site}${path}`);
  const cookie = (page.headers.get("set-cookie") || "").split(";")[0];
  const csrf = (await page.text()).match(/name="csrfmiddlewaretoken" value="([^"]+)"/)[1];
  const answer = await fetch(`${site}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: cookie, Referer: `${site}${path}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfmiddlewaretoken: csrf, outcome: "pay", ...extra }),
  });
  return new URL(answer.headers.get("location"), site);
}

const seen = {};
globalThis.Razorpay = class {
  constructor(options) {
    this.options = options;
    this.handlers = {};
    seen.razorpayOptions = options;
  }
  on(event, handler) {
    this.handlers[event] = handler;
  }
  async open() {
    // Checkout.js's part: the shopper pays; the webhook is lost, so only verify settles it.
    const back = await pressPay(`/sandbox/razorpay/pay/${this.options.order_id}/?callback=/demo/razorpay-return`, { webhook: "drop" });
    this.options.handler(Object.fromEntries(back.searchParams));
  }
};
const stripe = {
  async initEmbeddedCheckout({ fetchClientSecret }) {
    const clientSecret = await fetchClientSecret();
    seen.stripeClientSecret = clientSecret;
    return {
      mount(element) {
        seen.stripeMountedOn = element;
        // Stripe.js's part: the shopper pays in the embedded form.
        seen.stripePaid = pressPay(`/sandbox/stripe/pay/${clientSecret.split("_secret_")[0]}/`);
      },
    };
  },
};

const api = await import(snippetsPath);
const result = {};
const address = {
  first_name: "Node", last_name: "Shopper", address_line_1: "1 Road", city: "Pune",
  state: "MH", postal_code: "411001", country: "IN", phone: "9999999999",
};

await api.login("demo@example.com", "demo-pass-123");
const products = await api.call("GET", "/api/products/", null, { auth: false });
const list = Array.isArray(products) ? products : products.results;
const [first, second] = list;
const addOne = (product) =>
  api.call("POST", "/api/cart/items/", { product_id: product.id, variant_id: product.variants[0].id, quantity: 1 });

// Razorpay, with the access token expired meanwhile: the wrapper refreshes and retries.
await addOne(first);
api.forgetAccessToken();
const refreshBefore = localStorage.getItem("paycart-refresh");
result.razorpay = await api.payWithRazorpay({ shippingAddress: address, billingAddress: address });
result.refreshRotated = localStorage.getItem("paycart-refresh") !== refreshBefore;
result.razorpayTimeout = seen.razorpayOptions.timeout;

// Stripe embedded Checkout, then the order-success page waits for the webhook.
await addOne(second);
const orderId = await api.mountStripeCheckout(stripe, "#checkout", address);
await seen.stripePaid;
result.stripeMountedOn = seen.stripeMountedOn;
result.stripeOrder = await api.waitForOrder(orderId, { every: 200 });

// PhonePe: redirect to the pay page, come back to /confirmbooking, poll.
const services = await api.call("GET", "/api/booking/services/", null, { auth: false });
const service = (Array.isArray(services) ? services : services.results)[0];
const day = new Date(Date.now() + (40 + Math.floor(Math.random() * 2000)) * 864e5).toISOString().slice(0, 10);
const slot = { service_type: "PUJA", puja_service: service.id, package: service.packages[0].id, selected_date: day, selected_time: "08:30" };
const cart = await api.call("POST", "/api/cart/carts/", slot, { idempotencyKey: crypto.randomUUID() });
await api.payWithPhonePe(cart.cart_id, `${site}/demo/confirmbooking`);
const payPage = new URL(window.location.href);
const throughPaycart = await pressPay(payPage.pathname + payPage.search);
const landing = await fetch(throughPaycart, { redirect: "manual" });
const confirm = new URL(landing.headers.get("location"));
result.phonepeLanding = confirm.pathname;
result.phonepe = await api.phonePeResult(confirm.searchParams.get("merchant_order_id"), { every: 200 });

// A second shopper wanting the slot the first holds is told, before paying, when it frees.
const other = `node-${crypto.randomUUID().slice(0, 8)}@example.com`;
await api.call("POST", "/api/accounts/register/", { email: other, password: "node-pass-2026", first_name: "N", last_name: "S" }, { auth: false });
await api.login(other, "node-pass-2026");
const heldCart = await api.call("POST", "/api/cart/carts/", { ...slot, selected_time: "09:30" });
await api.payWithPhonePe(heldCart.cart_id, `${site}/demo/confirmbooking`);
await api.login("demo@example.com", "demo-pass-123");
try {
  await api.call("POST", "/api/cart/carts/", { ...slot, selected_time: "09:30" });
  result.held = "not refused";
} catch (error) {
  result.held = { status: error.status, message: api.explain(error) };
}
console.log(JSON.stringify(result));
