"""One package per payment provider (Saleor's gateways): each holds its adapter around the
provider's SDK or HTTP API, its API views and routes, the services only its flows need,
and its local stand-in (the sandbox). Everything outside them is provider-agnostic: what
differs between providers is a fact on the adapter (webhook_needs_confirmation,
repeat_captures) or a capability protocol it has (DisputeApi, SettlementApi: the registry's
provider_api hands one out or refuses), never a comparison of provider names. The registry finds the packages
by themselves; adding a provider is a package here and a settings block
(config/settings/providers.py). docs/development.md walks through it."""
