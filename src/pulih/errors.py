"""The coded error every app raises for a refused input or action: a code that callers and
tests match on, and the Indonesian (or English) text from the app's table of messages."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from django.utils.functional import Promise

Code = TypeVar("Code", bound=Enum)


class CodedError(ValueError, Generic[Code]):
    """Subclasses name their table: `messages = MESSAGES`. The code is positional-only so that
    a message may have a %(code)s placeholder of its own."""

    messages: ClassVar[Mapping[Any, str | Promise]]

    def __init__(self, code: Code, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code.value)

    @property
    def message(self) -> str:
        # Rendered on access, not in __init__, so the language active where the error is
        # shown applies rather than the one active where it was raised.
        text = str(self.messages[self.code])
        return text % self.params if self.params else text
