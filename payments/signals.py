"""What payments announces to the apps above it (they connect at ready(); payments imports
none of them)."""

from django.dispatch import Signal

# A provider says it made or changed a settlement (payout): provider, provider_settlement_id.
settlement_announced = Signal()
