"""Where a simulator keeps what the provider knows: entities by kind and id."""

from typing import Protocol


class Store(Protocol):
    def get(self, kind: str, key: str) -> dict | None: ...

    def put(self, kind: str, key: str, entity: dict) -> None: ...

    def values(self, kind: str) -> list[dict]:
        """Every entity of a kind, oldest first."""
        ...

    def clear(self) -> None: ...


class MemoryStore:
    """A store in this process's memory (the fakes, the emulator). An entity handed out is
    the stored one: a test may change it in place, as the provider would change it."""

    def __init__(self) -> None:
        self.kinds: dict[str, dict[str, dict]] = {}

    def of(self, kind: str) -> dict[str, dict]:
        return self.kinds.setdefault(kind, {})

    def get(self, kind: str, key: str) -> dict | None:
        return self.of(kind).get(key)

    def put(self, kind: str, key: str, entity: dict) -> None:
        self.of(kind)[key] = entity

    def values(self, kind: str) -> list[dict]:
        return list(self.of(kind).values())

    def clear(self) -> None:
        for entities in self.kinds.values():
            entities.clear()
