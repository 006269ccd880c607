"""placeholder"""


def install(mod) -> None:
    pass
