"""Harbor's moderation library: plain Python, no Flask.

Text and values in, values out, so the web app, a worker or the command line can all use it.
"""
