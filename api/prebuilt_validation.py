"""Request validation with each operation's validators built once, where Connexion builds them per request.

Connexion 3.3's RequestValidationOperation makes, on every request, two URI parsers, a parameter
validator, a table of the media types the operation consumes and a body validator. They depend
only on the operation, and the body validator also on the request's media type and charset:
here they are built once (one URI parser serving both) and kept, the body validators as each media
type first comes. None keeps state between requests (each `validate`
and `wrap_receive` works on its own locals), so every request gets the same checks and the same
problems as with Connexion's own operation.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from connexion import utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
    logger,
)
from connexion.operations import AbstractOperation
from connexion.validators import AbstractRequestBodyValidator
from starlette.types import ASGIApp, Receive, Scope, Send

KEPT_PER_OPERATION = 16
"""Media types (and charsets) an operation keeps an answer for (media ranges let clients name many)."""

_NO_SCHEMA = object()
"""Kept for a media type the operation declares no body schema for: nothing to check."""
_NO_VALIDATOR = object()
"""Kept for a media type with a schema but no validator registered: skipped, and logged each time."""


class PrebuiltRequestValidationOperation(RequestValidationOperation):
    def __init__(
        self,
        next_app: ASGIApp,
        *,
        operation: AbstractOperation,
        strict_validation: bool = False,
        validator_map: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            next_app, operation=operation, strict_validation=strict_validation, validator_map=validator_map
        )
        # URI parsers keep no state: the parameters and the body validators share one.
        self._uri_parser = operation.uri_parser_class(operation.parameters, operation.body_definition())
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=self._uri_parser,
            strict_validation=strict_validation,
            security_query_params=self.security_query_params,
        )
        consumes = MediaTypeDict([(media_type.lower(), None) for media_type in operation.consumes])
        self._accepts = functools.lru_cache(KEPT_PER_OPERATION)(lambda mime_type: mime_type.lower() in consumes)
        self._kept_body_check = functools.lru_cache(KEPT_PER_OPERATION)(self._new_body_check)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        body_check = self._kept_body_check(mime_type, encoding)
        if body_check is _NO_VALIDATOR:
            self._log_skipped(mime_type)
        elif isinstance(body_check, AbstractRequestBodyValidator):
            receive, scope = await body_check.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)

    def validate_mime_type(self, mime_type: str) -> None:
        if self._operation.consumes and not self._accepts(mime_type):
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )

    def _new_body_check(self, mime_type: str, encoding: str) -> object:
        operation = self._operation
        schema = operation.body_schema(mime_type)
        if not schema:
            return _NO_SCHEMA
        try:
            body_validator = self._validator_map["body"][mime_type]
        except KeyError:
            return _NO_VALIDATOR
        validator: AbstractRequestBodyValidator = body_validator(
            schema=schema,
            required=operation.request_body.get("required", False),
            nullable=utils.is_nullable(operation.body_definition(mime_type)),
            encoding=encoding,
            strict_validation=self.strict_validation,
            uri_parser=self._uri_parser,
        )
        return validator

    @staticmethod
    def _log_skipped(mime_type: str) -> None:
        logger.info(f"Skipping validation. No validator registered for content type: {mime_type}.")


class PrebuiltRequestValidationAPI(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return PrebuiltRequestValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class PrebuiltRequestValidationMiddleware(RequestValidationMiddleware):
    api_cls = PrebuiltRequestValidationAPI


def with_prebuilt_validation(middlewares: Sequence[Any], before: Sequence[Any] = ()) -> list[Any]:
    """`middlewares` with Connexion's request validation replaced by the prebuilt one, `before` just ahead of it.

    Connexion finds a `MiddlewarePosition` by the class it names, so nothing can be added at
    BEFORE_VALIDATION once the class is replaced: what goes there is placed here instead.
    """
    stack = list(middlewares)
    at = stack.index(RequestValidationMiddleware)
    stack[at : at + 1] = [*before, PrebuiltRequestValidationMiddleware]
    return stack
