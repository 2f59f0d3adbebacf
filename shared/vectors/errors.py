"""The vector slice's errors, each a subclass of the domain error the API maps to one status."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, ServiceUnavailable


class CollectionNotFound(NotFound):
    """No collection has that name (404)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no vector collection named {name!r}")
        self.name = name


class CollectionExists(Conflict):
    """A collection with that name exists already (409)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"vector collection {name!r} exists already")


class VectorInputError(InvalidInput):
    """A vector, filter, query or collection spec is malformed (400), e.g. a wrong dimension or a NaN."""


class EmbedderMismatch(InvalidInput):
    """Vectors made by one embedder were sent to a collection that remembers another (400)."""


class BatchTooLarge(PayloadTooLarge):
    """More points in one request than ``vectors.max_batch`` (413)."""


class VectorStoreUnavailable(ServiceUnavailable):
    """The vector store (the Qdrant server, or the local store's owner process) did not answer (503)."""


class EmbedderUnavailable(ServiceUnavailable):
    """An embedder cannot run here: its optional extra is missing, or its HTTP endpoint failed (503)."""
