"""The Stripe sandbox: its API and pay page at the provider's own paths."""
