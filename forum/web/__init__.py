"""What every page shares, whichever blueprint or feature it belongs to: composing a text,
keyset paging, the kinds of review item, the reader's helplines."""
