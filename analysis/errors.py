"""The one exception type that readers let escape."""


class InputError(ValueError):
    """A file or value the user supplied cannot be used.

    The message is written for a runner, not a programmer: it names the file (and the row,
    field or point where that helps) and says what was expected, so the person can fix the
    file or export it again. Readers raise nothing else for bad input.
    """

    def __init__(self, message: str, *, file_name: str | None = None):
        self.file_name = file_name
        if file_name and not message.startswith(file_name):
            message = f"{file_name}: {message}"
        super().__init__(message)
