"""Views only moderators or admins may open."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required


def _requires(check: Callable[[Any], bool], refusal: str) -> Callable:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403, refusal)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = _requires(lambda user: user.is_admin, "Only an admin can do that.")
moderator_required = _requires(lambda user: user.is_moderator, "Only moderators can do that.")
