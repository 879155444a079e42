// Reads each contract field a frontend uses, through the types openapi-typescript generates
// from /api/schema/ (schema.d.ts, made by the test). It compiles only if the schema declares
// every field with the type the contract gives it; the test also checks that a misspelt
// field does not compile, so the types are real and not `any`.
import type { paths } from "./schema";

type Answer<
  Path extends keyof paths,
  Method extends "get" | "post",
  Status extends number,
> = paths[Path][Method] extends {
  responses: { [S in Status]: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

type CreateFromCart = Answer<"/api/payments/create-from-cart/", "post", 201>;
type Verify = Answer<"/api/payments/verify/", "post", 200>;
type PhonePeCart = Answer<"/api/payments/cart/", "post", 201>;
type CartStatus = Answer<"/api/payments/cart/status/{cart_id}/", "get", 200>;
type Cart = Answer<"/api/cart/", "get", 200>;
type ErrorBody = Answer<"/api/payments/create-from-cart/", "post", 409>;

export function openRazorpayCheckout(answer: CreateFromCart): Record<string, unknown> {
  const paymentId: string | number = answer.payment_id;
  const paise: number = answer.amount;
  const rupees: string = answer.amount_decimal;
  const orderId: string = answer.razorpay_order_id;
  const sameOrder: boolean = answer.order_id === orderId;
  const count: number = answer.cart_items_count;
  const ok: true | boolean = answer.success;
  return {
    key: answer.key,
    amount: paise,
    currency: answer.currency,
    name: answer.name,
    description: answer.description,
    order_id: orderId,
    prefill: { name: answer.prefill.name, email: answer.prefill.email, contact: answer.prefill.contact },
    notes: { cart_id: answer.notes.cart_id, payment_id: answer.notes.payment_id },
    shown: `${rupees} for ${count} items (${paymentId}, ${sameOrder}, ${ok})`,
  };
}

export function afterVerify(answer: Verify): string {
  const status: string = answer.status;
  const created: boolean = answer.order_created;
  const orderId: number | null = answer.order_id;
  const orderNumber: string | null = answer.order_number;
  const bookings: string[] = answer.booking_ids;
  return `${status} ${created} ${orderId ?? "-"} ${orderNumber ?? "-"} ${bookings.join(",")}`;
}

export function phonePeRedirect(answer: PhonePeCart): string {
  const order = answer.data.payment_order;
  const id: string = order.id;
  const paise: number = order.amount;
  const rupees: string = order.amount_in_rupees;
  const created: string = order.created_at;
  return `${answer.success} ${answer.message} ${id} ${order.merchant_order_id} ${paise} ${rupees} ${order.cart_id} ${order.status} ${created} ${order.phonepe_payment_url}`;
}

export function cartPaymentStatus(answer: CartStatus): string {
  const d = answer.data;
  const amount: string | null = d.payment_amount;
  const bookingId: string | null = d.booking_id;
  const completed: string | null = d.payment_completed_at;
  return `${answer.success} ${d.cart_id} ${d.payment_status} ${amount} ${d.merchant_order_id} ${d.booking_created} ${bookingId} ${d.cart_status} ${d.payment_created_at} ${completed}`;
}

export function cartSummary(cart: Cart): string {
  const status: "ACTIVE" | "CONVERTED" | "ABANDONED" = cart.status;
  const total: string = cart.total_price;
  const count: number = cart.items_count;
  const lines = cart.items.map((item) => ("stock" in item ? item.product_name : item.service_name));
  return `${cart.cart_id} ${status} ${total} ${count} ${lines.join(",")}`;
}

export function heldMessage(answer: ErrorBody): string {
  const message: string = answer.error;
  return message;
}

// A path, method or status the schema lacks would make an answer `never`, on which any
// field reads: refuse that.
type Declared<T> = [T] extends [never] ? false : true;
export const declared: [
  Declared<CreateFromCart>,
  Declared<Verify>,
  Declared<PhonePeCart>,
  Declared<CartStatus>,
  Declared<Cart>,
  Declared<ErrorBody>,
] = [true, true, true, true, true, true];
