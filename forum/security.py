"""Response headers that keep every page to Harbor's own server and out of other sites' frames.

Every asset is Harbor's own, so the Content-Security-Policy allows nothing from elsewhere: no
CDN, fonts, analytics or embeds, and no inline script or style (a post that slipped past the
sanitiser still could not run). No Referer tells another site which topic a member read.
"""

from flask import Flask, Response, current_app, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if current_app.config["HARBOR_HTTPS"]:
        headers["Strict-Transport-Security"] = HSTS
    return response


def no_address_hash_in_the_session(response: Response) -> Response:
    """Flask-Login keeps a SHA-512 of the client's address and browser in the session cookie
    for its "session protection". Harbor turns that off (SESSION_PROTECTION None) and drops
    the hash: an IPv4 address is easily found again from it by anyone who reads the cookie."""
    if "_id" in session:
        session.pop("_id")
    return response


def register(app: Flask) -> None:
    app.after_request(security_headers)
    app.after_request(no_address_hash_in_the_session)
