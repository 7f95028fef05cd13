"""What happens to a post between submit and publication."""

from forum.models import Post, PostStatus
from forum.posting import set_post_status


def moderate(post: Post) -> None:
    """Decide a stored post's status."""
    set_post_status(post, PostStatus.PUBLISHED)
