"""The routes of second factors: two-step sign-in with an authenticator app, passkeys, and
signing in with a passkey (alone, or as the second step)."""

from __future__ import annotations

from typing import Any

import falcon.asgi
from injector import Injector

from api.resources.mfa import MfaStatus, RecoveryCodes, Totp, TotpConfirmation
from api.resources.passkey_tokens import (
    PasskeySignIn,
    PasskeySignInOptions,
    SecondStepPasskeyOptions,
)
from api.resources.passkeys import (
    OnePasskey,
    PasskeyRegistrationOptions,
    Passkeys,
    PasskeyStepUpOptions,
)
from core.mfa.begin_passkey_second_step import BeginPasskeySecondStepHandler
from core.mfa.confirm_totp import ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotpHandler
from core.mfa.get_status import GetMfaStatusHandler
from core.mfa.regenerate_recovery_codes import RegenerateRecoveryCodesHandler
from core.mfa.start_totp import StartTotpHandler
from core.passkeys.begin_registration import BeginPasskeyRegistrationHandler
from core.passkeys.begin_sign_in import BeginPasskeySignInHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUpHandler
from core.passkeys.delete_passkey import DeletePasskeyHandler
from core.passkeys.finish_registration import FinishPasskeyRegistrationHandler
from core.passkeys.rename_passkey import RenamePasskeyHandler
from core.passkeys.sign_in import SignInWithPasskeyHandler


def add_second_factor_routes(
    app: falcon.asgi.App[Any, Any], injector: Injector, body_limit: int
) -> None:
    _passkey_sign_in_routes(app, injector, body_limit)
    _mfa_routes(app, injector, body_limit)


def _mfa_routes(app: falcon.asgi.App[Any, Any], injector: Injector, body_limit: int) -> None:
    app.add_route("/api/v1/mfa", MfaStatus(get_status=injector.get(GetMfaStatusHandler)))
    app.add_route(
        "/api/v1/mfa/totp",
        Totp(
            start=injector.get(StartTotpHandler),
            disable=injector.get(DisableTotpHandler),
            max_body_bytes=body_limit,
        ),
    )
    app.add_route(
        "/api/v1/mfa/totp/confirm",
        TotpConfirmation(confirm=injector.get(ConfirmTotpHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/mfa/recovery-codes",
        RecoveryCodes(
            regenerate=injector.get(RegenerateRecoveryCodesHandler), max_body_bytes=body_limit
        ),
    )
    app.add_route(
        "/api/v1/mfa/passkeys/options",
        PasskeyRegistrationOptions(
            begin=injector.get(BeginPasskeyRegistrationHandler), max_body_bytes=body_limit
        ),
    )
    app.add_route(
        "/api/v1/mfa/passkeys",
        Passkeys(finish=injector.get(FinishPasskeyRegistrationHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/mfa/passkeys/{passkey_id:uuid}",
        OnePasskey(
            rename=injector.get(RenamePasskeyHandler),
            delete=injector.get(DeletePasskeyHandler),
            max_body_bytes=body_limit,
        ),
    )
    app.add_route(
        "/api/v1/mfa/passkeys/step-up-options",
        PasskeyStepUpOptions(begin=injector.get(BeginPasskeyStepUpHandler)),
    )


def _passkey_sign_in_routes(
    app: falcon.asgi.App[Any, Any], injector: Injector, body_limit: int
) -> None:
    app.add_route(
        "/api/v1/token/passkey/options",
        PasskeySignInOptions(begin=injector.get(BeginPasskeySignInHandler)),
    )
    app.add_route(
        "/api/v1/token/passkey",
        PasskeySignIn(sign_in=injector.get(SignInWithPasskeyHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/token/mfa/passkey-options",
        SecondStepPasskeyOptions(
            begin=injector.get(BeginPasskeySecondStepHandler), max_body_bytes=body_limit
        ),
    )
