"""The one exception type for bad input, so the CLI can report it without a traceback."""


class InputError(Exception):
    """Bad input from a user: a file, key or row that is not what was expected.

    The message must name the file (and the row, column or key where there is one)
    and say what was expected. The CLI prints it and exits with status 2.
    """
