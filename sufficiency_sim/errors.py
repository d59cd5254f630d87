"""The one exception type for bad input, so the CLI can report it without a traceback."""


class InputError(Exception):
    """Bad input from a user: a file, key or row that is not what was expected.

    The message must name the file (and the row, column or key where there is one)
    and say what was expected. The CLI prints it and exits with status 2.
    """


class OutputError(InputError):
    """A file or folder that cannot be written (not a folder, no space, no permission).

    Raised by `sufficiency_sim.files.atomic` for every failed write, naming the path, so every
    command reports it the same way: one ``error:`` line and exit status 2.
    """
