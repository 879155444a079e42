"""What the provider-agnostic payment code knows of payment providers: the capability
protocols an adapter has (base: PaymentProvider, DisputeApi, SettlementApi), how a
provider package declares itself (spec), and the registry that finds the packages in
payments.providers by name and hands out an adapter or one of its capabilities. What
differs between providers is a fact on the adapter (webhook_needs_confirmation,
repeat_captures) or a protocol it has, never a comparison of provider names. Nothing
here imports a provider package. docs/development.md walks through adding one."""
