"""Where browser tests keep the README's screenshots.

docs/screenshots/ is written only when asked (HARBOR_UPDATE_SCREENSHOTS=1), so that an ordinary
test run leaves the working tree as it found it; otherwise they go to a temporary folder.
"""

import os
import tempfile
from pathlib import Path

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("HARBOR_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="harbor-screenshots-"))
)
