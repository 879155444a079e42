"""A simulator's store in the database (simulators.store.Store), one per provider."""

from .models import SimulatedEntity


class DatabaseStore:
    def __init__(self, provider: str) -> None:
        self.rows = SimulatedEntity.objects.filter(provider=provider)
        self.provider = provider

    def get(self, kind: str, key: str) -> dict | None:
        row = self.rows.filter(kind=kind, key=key).first()
        return row.data if row else None

    def put(self, kind: str, key: str, entity: dict) -> None:
        SimulatedEntity.objects.update_or_create(
            provider=self.provider, kind=kind, key=key, defaults={"data": entity}
        )

    def values(self, kind: str) -> list[dict]:
        return [row.data for row in self.rows.filter(kind=kind).order_by("pk")]

    def clear(self) -> None:
        self.rows.delete()
