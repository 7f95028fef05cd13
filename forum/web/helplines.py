"""The reader's helplines: their region, chosen once and kept in a cookie.

Harbor never guesses the region from an IP address; with none chosen it shows the
international directory and the common lines.
"""

from flask import request

from moderation.helplines import HelplineSelection, helplines_for, normalise_region

REGION_COOKIE = "harbor_region"


def chosen_region() -> str | None:
    return normalise_region(request.cookies.get(REGION_COOKIE))


def helplines_for_reader() -> HelplineSelection:
    return helplines_for(chosen_region())
