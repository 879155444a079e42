"""One package per payment provider (Saleor's gateways), found by the registry
(payments.gateways.registry) by name. Each holds the wire — its adapter around the
provider's SDK or HTTP API, its dispute and settlement APIs — and above it the flows only
that provider has: API views and routes, verify, links, returns. The wire knows only the
protocols in payments.gateways; the flows call the payment services. docs/development.md
walks through adding one."""
