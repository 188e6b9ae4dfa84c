from citeflow.core.errors import DataError


class ProviderError(DataError):
    """A model provider failed: the message names the provider, the model and the cause, never a key."""

    def __init__(
        self, factory: str, model: str, cause: str, *, retryable: bool = False, unreachable: bool = False
    ) -> None:
        super().__init__(f"{factory} model {model}: {cause}")
        self.factory = factory
        self.model = model
        self.cause = cause
        self.retryable = retryable
        #: No answer came (base URL refused, no connection, timeout): another model at the same
        #: base URL would fail the same way.
        self.unreachable = unreachable
