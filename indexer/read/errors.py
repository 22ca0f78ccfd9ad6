class ReadError(Exception):
    """A file that cannot be read; the message is the one-line reason shown to users."""
